package dev.mfagate.core.store;

/** The SQL databases the store runs on. SQLite is the embedded default; PostgreSQL serves several instances. */
public enum Dialect {
    SQLITE("sqlite"),
    POSTGRESQL("postgresql");

    private final String migrationFolder;

    Dialect(String migrationFolder) {
        this.migrationFolder = migrationFolder;
    }

    /** The folder under {@code db/migration/} with this dialect's migrations. */
    public String migrationFolder() {
        return migrationFolder;
    }
}
