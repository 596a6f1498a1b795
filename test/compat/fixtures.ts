// Requests as Altcraft's published API pages show them (guides.altcraft.com, developer guide, v72–v74),
// written again for Herald's demo provisioning: database 1, resource 21, template 5, triggers 96
// and 85. Only the ids and addresses differ from the pages' examples; the keys, their nesting and
// the value types (a string `id`, `"true"` as a string, a single `phones` string…) are the pages'.
// docs/COMPATIBILITY.md names the page of each.
export const TOKEN = 'abcdefghijklmnqrstuvwxyz';

/** The `email` matching profile every launch example targets. */
export const PROFILE = {
  token: TOKEN,
  db_id: 1,
  matching: 'email',
  email: 'zaycev@example.com',
  data: {
    _fname: 'Ivan',
    _lname: 'Zaycev',
    email: 'zaycev@example.com',
    subscriptions: [{ channel: 'email', resource_id: 21, email: 'zaycev@example.com' }],
  },
};

export const fixtures = {
  /** Trigger launch (API call): one profile by email. */
  start: { token: TOKEN, id: 96, matching: 'email', email: 'zaycev@example.com' },
  /** The same, with the campaign id as the page's type table gives it (a string). */
  startStringId: {
    token: TOKEN,
    id: '96',
    matching: 'email',
    email: 'zaycev@example.com',
    content: { field: 'value' },
    custom_data: { x: 'y' },
  },
  /** Trigger launch choosing the subscription, as the page's email example of subscription_filter. */
  startSubscriptionFilter: {
    token: TOKEN,
    id: 96,
    matching: 'email',
    email: 'zaycev@example.com',
    subscription_filter: { email: '', not_strict: true },
  },
  /** Trigger launch with a custom MongoDB-style request instead of matching. */
  startCustomRequest: {
    token: TOKEN,
    id: 96,
    custom_request: { email: { $in: ['zaycev@example.com', 'nobody@example.com'] } },
  },
  /** Profile import + trigger campaign launch. */
  importAndStart: {
    token: TOKEN,
    db_id: 1,
    trigger_id: 96,
    matching: 'email',
    email: 'john.doe@example.com',
    data: {
      _fname: 'John',
      _lname: 'Doe',
      email: 'john.doe@example.com',
      subscriptions: [{ channel: 'email', resource_id: 21, email: 'john.doe@example.com' }],
    },
    skip_triggers: true,
    detect_geo: true,
    timeout: { days: 0, hours: 0, minutes: 5 },
    custom_data: { sending_time: '12:31:12' },
    content: { page: 'registration_form' },
    // The page types `attach` as an array of files and shows one file object: both are read.
    attach: { data: 'data:text/csv;base64,SEVMTE8K', name: 'Attach.txt' },
  },
  /** Bulk profiles import + trigger campaign launch (wrapped items, phones as one string). */
  importAndStartBatch: {
    token: TOKEN,
    db_id: 1,
    trigger_id: 96,
    matching: 'email',
    data: [
      { data: { _fname: 'John', _lname: 'Lambert', email: 'profile4@example.com', phones: '+79000000004' } },
      { data: { _fname: 'Tom', _lname: 'Hard', email: 'profile3@example.com', phones: '+79000000003' } },
    ],
  },
  /** Bulk trigger launch, matching by email (with `format` in the body). */
  startBatchEmail: {
    token: TOKEN,
    trigger_id: 96,
    format: 'json',
    matching: 'email',
    data: [{ email: 'zaycev@example.com' }, { email: 'nobody@example.com' }],
  },
  /** Bulk trigger launch, matching by a custom field. */
  startBatchCustom: {
    token: TOKEN,
    trigger_id: 85,
    format: 'json',
    skip_triggers: false,
    matching: 'custom',
    field_name: 'Custom_ID',
    data: [{ field_value: 'C-1' }],
  },
  /** Task for bulk trigger launch. */
  startBatchTask: {
    token: TOKEN,
    trigger_id: 96,
    format: 'json',
    matching: 'email',
    data: [{ email: 'zaycev@example.com' }],
  },
  /** Task for bulk trigger launch (current page): the campaign as `id`, content and custom_data at the root and in an item. */
  startBatchTaskById: {
    token: TOKEN,
    id: 96,
    matching: 'email',
    content: { page: 'checkout' },
    custom_data: { source: 'batch' },
    data: [{ email: 'zaycev@example.com', custom_data: { source: 'item' } }],
  },
  /** Task for bulk profiles import + trigger launch. */
  importAndStartBatchTask: {
    token: TOKEN,
    db_id: 1,
    trigger_id: 96,
    matching: 'email',
    data: [{ data: { _fname: 'Olly', email: 'profile5@example.com' } }],
  },
  /** Task for bulk profiles import + trigger launch, as the page writes it: no db_id (the trigger's database), phones as one string. */
  importAndStartBatchTaskNoDb: {
    token: TOKEN,
    trigger_id: 96,
    matching: 'email',
    skip_triggers: true,
    data: [{ data: { _fname: 'Ivy', _lname: 'Stone', email: 'profile6@example.com', phones: '+79000000006' } }],
  },
  /** Get trigger campaign information. */
  triggerGet: { token: TOKEN, id: 96 },
  /** Create trigger campaign: content entries with empty sender overrides, as the page shows. */
  triggerAdd: {
    token: TOKEN,
    name: 'New Awesome Campaign',
    is_active: false,
    content: [
      { from_email: '', from_name: '', message_id: 5, replyto_email: '', replyto_name: '', subject: 'Weather alert' },
    ],
    subid: 'Adv_1',
    descr: 'Sent when the weather turns',
    trigger_type: 'api_call',
    skip_minutes: 0,
    resource_id: 21,
    list_id: 1,
    send_channel: 'email',
  },
  /** Clone a trigger campaign. */
  triggerClone: { token: TOKEN, id: 96, name: 'Clone' },
  /** Deactivate campaign: id and flag as strings, as the page's example sends them. */
  deactivate: { token: TOKEN, id: '96', abort_if_running: 'true' },
  activate: { token: TOKEN, id: 96 },
  /** Activate campaign (v72 copy on easy.altcraft.com): its regular-campaign launch options, sent to a trigger. */
  activateRunNow: { token: TOKEN, id: 96, override_source_id: 1, override_source_type: 'list', run_now: true },
  /** Import profile. */
  profileImport: PROFILE,
  /** Update profile. */
  profileUpdate: {
    token: TOKEN,
    db_id: 1,
    matching: 'email',
    email: 'zaycev@example.com',
    data: { _fname: 'Ivan', _lname: 'Zaitsev' },
  },
  /** Import profile with the Profile data object page's example object (every system field, its example values). */
  profileDataObject: {
    token: TOKEN,
    db_id: 1,
    matching: 'email',
    email: 'olly@example.com',
    data: {
      _regcountry: 'US',
      _regcity: 'New York',
      _regip: '94.231.119.122',
      _regurl: 'www.example.com',
      _regdate: '2019-03-14T22:00:00Z',
      _bdate: '1990-02-22T21:00:00Z',
      _browser: 'Thunderbird',
      _city: 'Ryazan',
      _country: 'RU',
      _fname: 'Olly',
      _ip: '94.231.119.122',
      _lname: 'Lambert',
      _postal_code: '390000',
      _region: 'Ryazan Oblast',
      _vendor: 'form_#31',
      _sex: 0,
      _status: 0,
      _tz: 'Europe/Moscow',
      email: 'olly@example.com',
      phones: ['+79000000000'],
      // The demo database declares custom_field as an int; the page's example value is a string.
      custom_field: 5,
      subscriptions: [{ channel: 'email', email: 'olly@example.com', priority: 0, resource_id: 21, status: 0 }],
    },
  },
  /** Get profile data. */
  profileGet: { token: TOKEN, db_id: 1, matching: 'email', email: 'zaycev@example.com' },
  /** Delete profile. */
  profileDelete: { token: TOKEN, db_id: 1, matching: 'email', email: 'zaycev@example.com' },
  /** Import multiple profiles (wrapped items with their own matching value). */
  importBatchWrapped: {
    token: TOKEN,
    db_id: 1,
    matching: 'email',
    data: [{ email: 'batch1@example.com', data: { _fname: 'Batch', email: 'batch1@example.com' } }],
  },
  /** Import multiple profiles, items flat as the import_batch page shows them. */
  importBatchFlat: {
    token: TOKEN,
    db_id: 1,
    matching: 'email',
    data: [{ _fname: 'Flat', email: 'flat1@example.com' }],
  },
  /** Get database list. */
  databasesList: { token: TOKEN, limit: 2 },
  /** Get database information. */
  databasesGet: { token: TOKEN, id: 1 },
  /** Get database fields. */
  databasesFields: { token: TOKEN, db_id: 1 },
  /** Get resources list. */
  resourcesList: { token: TOKEN, from_id: 1, limit: 1 },
  /** Get resource information. */
  resourcesGet: { token: TOKEN, id: 21 },
  /** Get templates list. */
  templatesList: { token: TOKEN, limit: 2 },
  /** Add template: one email channel with empty sender fields, and the UI settings Herald ignores. */
  templatesAdd: {
    token: TOKEN,
    name: 'Order confirmation',
    descr: 'Sent after checkout',
    channels: [
      {
        sid: 'email',
        fields: {
          text: 'Thank you',
          html: '<html>Thank you</html>',
          subject: 'Your order',
          from_email: '',
          from_name: '',
          replyto_email: '',
          replyto_name: '',
          is_not_inline: true,
        },
      },
    ],
    json_url: 'https://example.com/order.json',
    ui_tags: ['orders'],
    groups: [1],
    is_draft: false,
    is_confirm: false,
    suppress_id: 3,
  },
  /** Get template info. */
  templatesGet: { token: TOKEN, id: 5 },
  /** Get template info with the current page's channel filter (a channel of no template among them). */
  templatesGetChannelSid: { token: TOKEN, id: 5, channel_sid: ['email', 'sms', 'cc_channel'], get_variable: true },
  /** Get campaign status. */
  campaignStatus: { token: TOKEN, id: 96 },
  /** Get campaign log. */
  campaignLog: { token: TOKEN, id: 96 },
  /** Get campaign log with the page's optional parameters. */
  campaignLogFrom: { token: TOKEN, id: 96, from_time: '2018-08-10T00:00:00.000Z', limit: 2 },
} as const;

/** The same requests in XML, as the pages' XML tabs show them (a prolog on some pages). */
export const xmlFixtures = {
  databasesGet: `<?xml version="1.0" encoding="UTF-8" ?>\n<xml>\n<id>1</id>\n<token>${TOKEN}</token>\n</xml>`,
  resourcesList: `<?xml version="1.0" encoding="UTF-8" ?>\n<xml>\n<from_id>1</from_id>\n<limit>1</limit>\n<token>${TOKEN}</token>\n</xml>`,
  deactivate: `<xml>\n<token>${TOKEN}</token>\n<id>96</id>\n<abort_if_running>true</abort_if_running>\n</xml>`,
  /** Activate campaign (easy.altcraft.com v72), the XML tab. */
  activateRunNow: `<xml>\n<token>${TOKEN}</token>\n<id>96</id>\n<override_source_id>1</override_source_id>\n<override_source_type>list</override_source_type>\n<run_now>true</run_now>\n</xml>`,
  /** Get templates list, the XML tab. */
  templatesList: `<xml>\n<token>${TOKEN}</token>\n<limit>2</limit>\n</xml>`,
  startBatchEmail: `<xml>\n<token>${TOKEN}</token>\n<trigger_id>96</trigger_id>\n<format>xml</format>\n<matching>email</matching>\n<data>\n<email>zaycev@example.com</email>\n</data>\n<data>\n<email>nobody@example.com</email>\n</data>\n</xml>`,
  triggerGet: `<xml>\n<token>${TOKEN}</token>\n<id>96</id>\n</xml>`,
} as const;
