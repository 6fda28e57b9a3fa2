package dev.mfagate.core.store;

import java.sql.SQLException;

/** The SQL databases the store runs on. SQLite is the embedded default; PostgreSQL serves several instances. */
public enum Dialect {
    SQLITE("sqlite", ""),
    POSTGRESQL("postgresql", " FOR SHARE");

    private final String migrationFolder;
    private final String forShare;

    Dialect(String migrationFolder, String forShare) {
        this.migrationFolder = migrationFolder;
        this.forShare = forShare;
    }

    /** The folder under {@code db/migration/} with this dialect's migrations. */
    public String migrationFolder() {
        return migrationFolder;
    }

    /**
     * The clause that makes a {@code SELECT} hold a shared row lock until commit ({@code FOR SHARE} on
     * PostgreSQL; empty on SQLite, where a transaction that has written already holds the database's
     * single write lock).
     */
    public String forShareClause() {
        return forShare;
    }

    /** Whether {@code e} (or a cause) reports a violated primary-key or unique constraint. */
    public boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                if (this == POSTGRESQL && "23505".equals(sql.getSQLState())) {
                    return true;
                }
                // SQLite's extended result codes: SQLITE_CONSTRAINT_PRIMARYKEY (1555), SQLITE_CONSTRAINT_UNIQUE (2067).
                if (this == SQLITE && (sql.getErrorCode() == 1555 || sql.getErrorCode() == 2067
                        || (sql.getErrorCode() == 19 && String.valueOf(sql.getMessage()).contains("UNIQUE constraint failed")))) {
                    return true;
                }
            }
        }
        return false;
    }
}
