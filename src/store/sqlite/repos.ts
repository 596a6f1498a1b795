// The entity modules of the SQLite store on its one connection, each made on first use (its
// statements are prepared then, once the schema is migrated), wired to the ones it writes through.
import { SqliteBounces } from './bounces.js';
import { SqliteCatalog } from './catalog.js';
import { SqliteCatalogWrites } from './catalog-writes.js';
import { SqliteDelivery } from './delivery.js';
import { SqliteEvents } from './events.js';
import { SqliteFeedback } from './feedback.js';
import { SqliteMonitor } from './monitor.js';
import type { SqliteDb } from './open.js';
import { SqliteProfileQueries } from './profile-query.js';
import { SqliteProfiles } from './profiles.js';
import { SqliteReports } from './reports.js';
import { SqliteRequestKeys } from './request-keys.js';
import { SqliteSettings } from './settings.js';
import { SqliteTasks } from './tasks.js';
import { SqliteTestSends } from './test-sends.js';
import { SqliteTokens } from './tokens.js';

export class SqliteRepos {
  private readonly made: {
    catalog?: SqliteCatalog;
    catalogWrites?: SqliteCatalogWrites;
    tokens?: SqliteTokens;
    settings?: SqliteSettings;
    events?: SqliteEvents;
    feedback?: SqliteFeedback;
    bounces?: SqliteBounces;
    profiles?: SqliteProfiles;
    profileQueries?: SqliteProfileQueries;
    delivery?: SqliteDelivery;
    reports?: SqliteReports;
    tasks?: SqliteTasks;
    requestKeys?: SqliteRequestKeys;
    testSends?: SqliteTestSends;
    monitor?: SqliteMonitor;
  } = {};

  constructor(private readonly db: SqliteDb) {}

  get catalog(): SqliteCatalog {
    return (this.made.catalog ??= new SqliteCatalog(this.db));
  }

  get catalogWrites(): SqliteCatalogWrites {
    return (this.made.catalogWrites ??= new SqliteCatalogWrites(this.db));
  }

  get tokens(): SqliteTokens {
    return (this.made.tokens ??= new SqliteTokens(this.db));
  }

  get settings(): SqliteSettings {
    return (this.made.settings ??= new SqliteSettings(this.db));
  }

  get events(): SqliteEvents {
    return (this.made.events ??= new SqliteEvents(this.db));
  }

  get feedback(): SqliteFeedback {
    return (this.made.feedback ??= new SqliteFeedback(this.db, this.events));
  }

  get bounces(): SqliteBounces {
    return (this.made.bounces ??= new SqliteBounces(this.db, this.feedback, this.events));
  }

  get profiles(): SqliteProfiles {
    return (this.made.profiles ??= new SqliteProfiles(this.db, this.feedback, this.events));
  }

  get profileQueries(): SqliteProfileQueries {
    return (this.made.profileQueries ??= new SqliteProfileQueries(this.db));
  }

  get delivery(): SqliteDelivery {
    return (this.made.delivery ??= new SqliteDelivery(
      this.db,
      this.profiles,
      this.feedback,
      this.bounces,
      this.events,
    ));
  }

  get reports(): SqliteReports {
    return (this.made.reports ??= new SqliteReports(this.db));
  }

  get tasks(): SqliteTasks {
    return (this.made.tasks ??= new SqliteTasks(this.db));
  }

  get requestKeys(): SqliteRequestKeys {
    return (this.made.requestKeys ??= new SqliteRequestKeys(this.db));
  }

  get testSends(): SqliteTestSends {
    return (this.made.testSends ??= new SqliteTestSends(this.db));
  }

  get monitor(): SqliteMonitor {
    return (this.made.monitor ??= new SqliteMonitor(this.db));
  }
}
