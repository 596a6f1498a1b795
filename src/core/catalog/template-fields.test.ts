import { describe, expect, it } from 'vitest';
import { contentFieldProblems, databaseScope, leadVariableProblem, templateFieldProblem } from './template-fields.js';
import type { DatabaseDef, TemplateDef } from './types.js';

const db: DatabaseDef = {
  id: 7,
  accountId: 1,
  name: 'Leads',
  description: '',
  fields: [
    { name: 'plan', type: 'string' },
    { name: 'CRM_ID', type: 'int' },
    { name: 'order', type: 'object' },
  ],
};

const scope = databaseScope(db);

describe('lead variables against a database', () => {
  it('accepts system and custom fields and the profile id', () => {
    expect(
      leadVariableProblem(
        '{lead._fname} {lead.email} {lead.phones} {lead.CRM_ID} {lead.plan} {lead._id} {lead.id} {lead.order.total}',
        scope,
      ),
    ).toBeUndefined();
    expect(leadVariableProblem('{apicontent.anything} {subscription.email}', scope)).toBeUndefined();
  });
  it('names an unknown field and the one meant when close', () => {
    expect(leadVariableProblem('Hi {lead.fname}', scope)).toBe(
      '{lead.fname} is not a field of database 7 (did you mean {lead._fname}?)',
    );
    expect(leadVariableProblem('Your {lead.plna}', scope)).toBe(
      '{lead.plna} is not a field of database 7 (did you mean {lead.plan}?)',
    );
    expect(leadVariableProblem('{lead.crm_id}', scope)).toBe(
      '{lead.crm_id} is not a field of database 7 (did you mean {lead.CRM_ID}?)',
    );
    expect(leadVariableProblem('{lead.favourite_colour}', scope)).toBe(
      '{lead.favourite_colour} is not a field of database 7',
    );
    expect(leadVariableProblem('{lead.constructor}', scope)).toBe('{lead.constructor} is not a field of database 7');
  });
  it('allows parts only below object fields', () => {
    expect(leadVariableProblem('{lead._fname.first}', scope)).toBe(
      '{lead._fname.first}: field _fname has no parts (only object and arr_object fields do)',
    );
  });
  it("checks a content entry's template texts, and its subject instead of the template's", () => {
    const template: TemplateDef = {
      id: 5,
      accountId: 1,
      name: 't',
      channels: { email: { subject: 'Hi {lead.nme}', html: '<p>{lead.plna}</p>', text: 'ok' } },
    };
    expect(contentFieldProblems({ message_id: 5 }, template, 'email', db, 'content[0]')).toEqual([
      'content[0].message_id: template 5 subject: {lead.nme} is not a field of database 7',
      'content[0].message_id: template 5 html: {lead.plna} is not a field of database 7 (did you mean {lead.plan}?)',
    ]);
    expect(
      contentFieldProblems({ message_id: 5, subject: 'For {lead.fname}' }, template, 'email', db, 'content[1]'),
    ).toEqual([
      'content[1].message_id: template 5 html: {lead.plna} is not a field of database 7 (did you mean {lead.plan}?)',
      'content[1].subject: {lead.fname} is not a field of database 7 (did you mean {lead._fname}?)',
    ]);
  });

  it("checks the sender names too: the entry's own, else the resource channel's", () => {
    const template: TemplateDef = {
      id: 5,
      accountId: 1,
      name: 't',
      channels: { email: { subject: 'ok', text: 'ok' } },
    };
    const channel = { sender: 'smtp', from_name: '{lead.plna} team', replyto_name: '{lead._fname}' };
    expect(
      contentFieldProblems(
        { message_id: 5, replyto_name: '{lead.fname}' },
        template,
        'email',
        db,
        'content[0]',
        channel,
      ),
    ).toEqual([
      "content[0]: the resource's from_name: {lead.plna} is not a field of database 7 (did you mean {lead.plan}?)",
      'content[0].replyto_name: {lead.fname} is not a field of database 7 (did you mean {lead._fname}?)',
    ]);
    expect(
      contentFieldProblems(
        { message_id: 5, from_name: '{lead.plan} team' },
        template,
        'email',
        db,
        'content[0]',
        channel,
      ),
    ).toEqual([]);
  });

  it('before a trigger uses it, a template may use the fields of any database of the account', () => {
    const other: DatabaseDef = { ...db, id: 8, fields: [{ name: 'fname', type: 'string' }] };
    expect(
      templateFieldProblem({ subject: '{lead.fname} {lead.plan}', text: '{lead._lname}' }, [db, other]),
    ).toBeUndefined();
    expect(templateFieldProblem({ subject: 'ok', text: 'Hi {lead.plna}' }, [db, other])).toEqual({
      key: 'text',
      text: '{lead.plna} is not a field of any database of the account (did you mean {lead.plan}?)',
    });
    expect(templateFieldProblem({ html: '{lead.fname}' }, [])).toEqual({
      key: 'html',
      text: '{lead.fname} is not a field of any database of the account (did you mean {lead._fname}?)',
    });
  });
});
