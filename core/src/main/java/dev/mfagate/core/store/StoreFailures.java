package dev.mfagate.core.store;

import java.sql.SQLException;

/**
 * Tells a store outage from a bug: an exception whose cause chain holds a {@link SQLException}
 * came from the database (unreachable, restarting, pool timed out, connection cut) and is
 * answered {@code store_unavailable} (503), so clients and load balancers retry elsewhere instead
 * of reading a 500 as a defect.
 *
 * <p>Jdbi ({@code ConnectionException}, {@code UnableToExecuteStatementException}), HikariCP
 * ({@code SQLTransientConnectionException} after its connection timeout) and Bucket4j's JDBC
 * backend all keep the driver's {@link SQLException} as a cause, so one walk covers them.
 * Stateless and thread-safe.
 */
public final class StoreFailures {

    /** Causes deeper than this are not followed (guards against cycles). */
    private static final int MAX_DEPTH = 16;

    private StoreFailures() {
    }

    /** Whether {@code e} or one of its causes is a {@link SQLException}. */
    public static boolean isStoreFailure(Throwable e) {
        return sqlCause(e) != null;
    }

    /**
     * A short description of the database failure for the log: the SQL state and the exception
     * type, never the driver's message (it may quote a statement's parameters).
     */
    public static String describe(Throwable e) {
        SQLException sql = sqlCause(e);
        if (sql == null) {
            return e.getClass().getSimpleName();
        }
        return sql.getClass().getSimpleName() + (sql.getSQLState() == null ? "" : " (SQL state " + sql.getSQLState() + ")");
    }

    private static SQLException sqlCause(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }
}
