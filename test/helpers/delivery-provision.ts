// A provisioning object whose senders point at the test's own receivers: an SMTP sink and an
// HTTP receiver (paths /sms, /push, /hooks).

export interface DeliveryTargets {
  smtpUrl: string;
  httpUrl: string;
  /** Folder for a file sender (trigger 90). */
  outbox?: string;
  hookSecret?: string;
  hookEvents?: string[];
}

export function deliveryProvision(t: DeliveryTargets, extra: { triggers?: unknown[]; templates?: unknown[] } = {}) {
  return {
    accounts: [
      {
        id: 1,
        name: 'Delivery test',
        tokens: [{ token: 'abcdefghijklmnqrstuvwxyz', role: 'write' }],
        senders: [
          { name: 'mail', type: 'smtp', url: t.smtpUrl },
          { name: 'sms-gw', type: 'http', url: `${t.httpUrl}/sms`, headers: { Authorization: 'Bearer sms-secret' } },
          { name: 'push-gw', type: 'http', url: `${t.httpUrl}/push` },
          ...(t.outbox ? [{ name: 'outbox', type: 'file', dir: t.outbox }] : []),
        ],
        databases: [
          {
            id: 1,
            name: 'Customers',
            fields: [
              { name: 'CRM_ID', type: 'int' },
              { name: 'Custom_ID', type: 'string' },
              { name: 'custom_field', type: 'int' },
              { name: 'interests', type: 'tags' },
            ],
          },
        ],
        resources: [
          {
            id: 21,
            name: 'Main',
            db_ids: [1],
            channels: {
              email: {
                sender: 'mail',
                from_email: 'shop@example.com',
                from_name: 'Demo shop',
                replyto_email: 'care@example.com',
              },
              sms: { sender: 'sms-gw' },
              push: { sender: 'push-gw' },
            },
          },
          ...(t.outbox
            ? [
                {
                  id: 22,
                  name: 'Files',
                  db_ids: [1],
                  channels: { email: { sender: 'outbox', from_email: 'files@example.com' } },
                },
              ]
            : []),
        ],
        templates: [
          {
            id: 5,
            name: 'Welcome',
            channel: 'email',
            subject: 'Welcome, {lead._fname}!',
            html: '<style>p { margin: 0 }</style><p>Hello {lead._fname} {lead._lname}, you came from {apicontent.page}. Order {apicontent.order.id}.</p><p><a href="{unsubscribe}">Unsubscribe</a></p>',
            text: 'Hello {lead._fname} {lead._lname}, you came from {apicontent.page}. {subscription.email}',
          },
          { id: 6, name: 'SMS', channel: 'sms', text: 'Code for {lead._fname}: {apicontent.code}' },
          {
            id: 7,
            name: 'Push',
            channel: 'push',
            title: 'Hi {lead._fname}',
            text: 'News: {apicontent.news}',
            url: 'https://shop.example/{apicontent.path}',
            image: 'https://shop.example/i.png',
          },
          ...(extra.templates ?? []),
        ],
        triggers: [
          {
            id: 96,
            name: 'Welcome',
            trigger_type: 'api_call',
            send_channel: 'email',
            resource_id: 21,
            list_id: 1,
            is_active: true,
            content: [{ message_id: 5 }],
          },
          {
            id: 85,
            name: 'Welcome again',
            trigger_type: 'api_call',
            send_channel: 'email',
            resource_id: 21,
            list_id: 1,
            is_active: true,
            content: [{ message_id: 5 }],
          },
          {
            id: 97,
            name: 'SMS',
            trigger_type: 'api_call',
            send_channel: 'sms',
            resource_id: 21,
            list_id: 1,
            is_active: true,
            content: [{ message_id: 6 }],
          },
          {
            id: 98,
            name: 'Push',
            trigger_type: 'api_call',
            send_channel: 'push',
            resource_id: 21,
            list_id: 1,
            is_active: true,
            content: [{ message_id: 7 }],
          },
          {
            id: 99,
            name: 'Delayed',
            trigger_type: 'api_call',
            send_channel: 'email',
            resource_id: 21,
            list_id: 1,
            is_active: true,
            skip_minutes: 1,
            content: [{ message_id: 5 }],
          },
          ...(t.outbox
            ? [
                {
                  id: 90,
                  name: 'Files',
                  trigger_type: 'api_call',
                  send_channel: 'email',
                  resource_id: 22,
                  list_id: 1,
                  is_active: true,
                  content: [{ message_id: 5 }],
                },
              ]
            : []),
          ...(extra.triggers ?? []),
        ],
        action_hooks: [
          {
            url: `${t.httpUrl}/hooks`,
            ...(t.hookSecret ? { secret: t.hookSecret } : {}),
            events: t.hookEvents ?? ['import_api', 'send', 'send_sms', 'send_push', 'undeliv', 'unsub'],
          },
        ],
      },
    ],
  };
}
