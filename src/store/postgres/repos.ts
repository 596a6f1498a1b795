// The entity modules of the PostgreSQL store, wired to the ones they write through. They hold
// no connection: each method takes the pool or the transaction's client it runs on.
import { PgBounces } from './bounces.js';
import { PgCatalog } from './catalog.js';
import { PgCatalogWrites } from './catalog-writes.js';
import { PgDelivery } from './delivery.js';
import { PgEvents } from './events.js';
import { PgFeedback } from './feedback.js';
import { PgMonitor } from './monitor.js';
import { PgProfileQueries } from './profile-query.js';
import { PgProfiles } from './profiles.js';
import { PgReports } from './reports.js';
import { PgRequestKeys } from './request-keys.js';
import { PgSettings } from './settings.js';
import { PgTasks } from './tasks.js';
import { PgTestSends } from './test-sends.js';
import { PgTokens } from './tokens.js';

export class PgRepos {
  readonly catalog = new PgCatalog();
  readonly catalogWrites = new PgCatalogWrites();
  readonly tokens = new PgTokens();
  readonly settings = new PgSettings();
  readonly events = new PgEvents();
  readonly feedback = new PgFeedback(this.events);
  readonly bounces = new PgBounces(this.feedback, this.events);
  readonly profiles = new PgProfiles(this.feedback, this.events);
  readonly profileQueries = new PgProfileQueries();
  readonly delivery = new PgDelivery(this.profiles, this.feedback, this.bounces, this.events);
  readonly reports = new PgReports();
  readonly tasks = new PgTasks();
  readonly requestKeys = new PgRequestKeys();
  readonly testSends = new PgTestSends();
  readonly monitor = new PgMonitor();
}
