// Every method of the API, by name: the registry the dispatcher serves and the OpenAPI document
// describes. Each method is declared beside its core function (core/*/…: `defineMethod`); this
// file only gathers them, and checks that the Store's transaction and read view give every
// method the part of the store it declared.
import { methodsByName, type Method } from './api/define.js';
import { visibilityMethods } from './delivery/visibility.js';
import { importAndStartMethods } from './imports/import-and-start.js';
import { profileImportMethods } from './imports/profile-imports.js';
import { startBatchMethods } from './launches/start-batch.js';
import { startMethods } from './launches/start.js';
import { accountMethods } from './manage/account.js';
import { activationMethods } from './manage/activation.js';
import { databaseMethods } from './manage/databases.js';
import { reportMethods } from './manage/reports.js';
import { resourceMethods } from './manage/resources.js';
import { templatePreviewMethods } from './manage/template-preview.js';
import { templateTestSendMethods } from './manage/template-test-send.js';
import { suppressionMethods } from './manage/suppressions.js';
import { templateMethods } from './manage/templates.js';
import { triggerMethods } from './manage/triggers.js';
import type { ReadView, StoreTx } from './ports.js';
import { profileListMethods } from './profiles/profile-list.js';
import { profileMethods } from './profiles/profile-methods.js';
import { taskMethods } from './tasks/task-methods.js';

/** A method of the registry: write methods run in a StoreTx, read methods on the ReadView. */
export type ApiMethod = Method<StoreTx, ReadView>;

const all: readonly ApiMethod[] = [
  ...importAndStartMethods,
  ...profileImportMethods,
  ...profileMethods,
  ...profileListMethods,
  ...visibilityMethods,
  ...triggerMethods,
  ...activationMethods,
  ...databaseMethods,
  ...resourceMethods,
  ...templateMethods,
  ...templatePreviewMethods,
  ...templateTestSendMethods,
  ...accountMethods,
  ...startMethods,
  ...startBatchMethods,
  ...taskMethods,
  ...suppressionMethods,
  ...reportMethods,
];

export const methods: ReadonlyMap<string, ApiMethod> = methodsByName(all);
