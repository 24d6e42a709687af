// The database schema as Kysely sees it. Each module declares its own tables by
// augmenting this interface next to its own migration (declaration merging), so the
// store knows every table without knowing every module.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Database {}

/** One schema change; `up` must work on SQLite and PostgreSQL alike. */
export interface Migration {
  /** Unique and sortable: "0001_users", "0100_collab"… */
  name: string;
  up(db: import('kysely').Kysely<unknown>): Promise<void>;
}
