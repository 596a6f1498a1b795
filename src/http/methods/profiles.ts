// profiles/import, import_batch, update, get, delete.
import { deleteProfile, getProfile } from '../../core/profiles/profile-methods.js';
import { anyObject, int, object, optional, required } from '../../core/values/schema.js';
import { batchData, importFlagFields, matchingFields, profileData } from './params.js';
import { payloads } from './payloads.js';
import { defineMethod } from './types.js';
import { importProfile, importProfileBatch, updateProfile } from '../../core/imports/profile-imports.js';

const dbId = { db_id: required(int({ min: 1 }), { aliases: ['list_id'] }) };
const importShape = { ...dbId, ...matchingFields, ...importFlagFields, custom_data: optional(anyObject()) };

export const profileMethods = [
  defineMethod({
    name: 'profiles/import', payload: payloads.profileId, imports: true,
    summary: 'Import or update one profile',
    write: true,
    params: object({ ...importShape, data: profileData }),
    handle: (call, p) => importProfile(call, p),
  }),
  defineMethod({
    name: 'profiles/import_batch', payload: payloads.batch, imports: true,
    summary: 'Import or update several profiles',
    write: true,
    params: object({ ...importShape, data: batchData }),
    handle: (call, p) => importProfileBatch(call, p),
  }),
  defineMethod({
    name: 'profiles/update', payload: payloads.profileId, imports: true,
    summary: 'Update one existing profile (never creates)',
    write: true,
    params: object({ ...importShape, data: profileData }),
    handle: (call, p) => updateProfile(call, p),
  }),
  defineMethod({
    name: 'profiles/get', payload: payloads.profile,
    summary: 'A profile with its subscriptions',
    write: false,
    params: object({ ...dbId, ...matchingFields }),
    handle: (call, p) => getProfile(call, p),
  }),
  defineMethod({
    name: 'profiles/delete', payload: payloads.none,
    summary: 'Delete a profile and cancel its scheduled messages',
    write: true,
    params: object({ ...dbId, ...matchingFields }),
    handle: (call, p) => deleteProfile(call, p),
  }),
];
