// The system fields every profile has (spec 03), whatever its database: their names and kinds.
// The catalog checks template variables against them; fields/ decodes their values.

export type SystemFieldKind =
  'email' | 'phones' | 'string' | 'bdate' | 'datetime' | 'sex' | 'ip' | 'number' | 'country' | 'tz' | 'int';

export const SYSTEM_FIELD_KINDS: Readonly<Record<string, SystemFieldKind>> = {
  email: 'email',
  phones: 'phones',
  _fname: 'string',
  _lname: 'string',
  _bdate: 'bdate',
  _sex: 'sex',
  _regdate: 'datetime',
  // The profile's global subscription status (Altcraft's Profile data object page): stored and returned as given.
  _status: 'int',
  _regip: 'ip',
  _ip: 'ip',
  _regcity: 'string',
  _regcountry: 'string',
  _city: 'string',
  _country: 'country',
  _region: 'string',
  _postal_code: 'string',
  _tz: 'tz',
  _lat: 'number',
  _lon: 'number',
  _vendor: 'string',
  _regurl: 'string',
  _browser: 'string',
  _os: 'string',
};

/** Fields profiles/get answers that no request writes. */
export const READ_ONLY_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'db_id',
  '_createtime',
  '_updatetime',
  '_md5',
  '_emaildomain',
]);
