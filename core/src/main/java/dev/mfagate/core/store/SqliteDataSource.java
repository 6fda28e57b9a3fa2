package dev.mfagate.core.store;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.Set;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * SQLite's own data source, handing the pool only connections that can write.
 *
 * <p><b>Why.</b> When SQLite cannot open the database or its WAL for writing (a permission taken
 * away, an immutable or read-only file, for as little as a second), it silently opens them
 * read-only, and such a connection stays read-only for its whole life, even once the files are
 * writable again. A pool that takes it keeps it: every audit write fails with
 * {@code SQLITE_READONLY} until the process restarts, while reads still work and nothing looks
 * dead. So each new connection is checked with a write that changes nothing
 * ({@code DELETE ... WHERE 0}, which SQLite refuses at once on a read-only connection and which
 * otherwise commits no page); a read-only one is closed and refused, and the pool tries again
 * later. SQLite refuses such a write before it waits for a lock, so the check does not wait: a
 * connection that finds the lock taken by another writer has passed it. Before the schema exists
 * (the first migration of a new file) there is nothing to check against and the connection is
 * taken.
 *
 * <p>{@link #EVICT_READ_ONLY} tells the pool to drop a pooled connection that reports itself read-only
 * (for example after its file was replaced); other errors, such as an I/O error or a full disk,
 * leave it in the pool, since its file descriptors work again as soon as the disk does.
 *
 * <p>Its connections wait for SQLite's write lock in the busy handler ({@code busy_timeout}), in
 * native code. Pooled connections do so only for writers outside this process's pools (another
 * process, the audit writer's connection): writers of this process queue first on the file's
 * {@link SqliteWriteLock}, because a virtual thread waiting in native code keeps its carrier.
 *
 * <p>Thread-safe, as the driver's data source is.
 */
final class SqliteDataSource extends org.sqlite.SQLiteDataSource {

    private static final long serialVersionUID = 1L;

    /** The table the write check names; any table of the schema would do. */
    private static final String WRITE_CHECK = "DELETE FROM audit_head WHERE 0";

    private static final Set<SQLiteErrorCode> READ_ONLY = EnumSet.of(SQLiteErrorCode.SQLITE_READONLY,
            SQLiteErrorCode.SQLITE_READONLY_RECOVERY, SQLiteErrorCode.SQLITE_READONLY_CANTLOCK,
            SQLiteErrorCode.SQLITE_READONLY_ROLLBACK, SQLiteErrorCode.SQLITE_READONLY_DBMOVED,
            SQLiteErrorCode.SQLITE_READONLY_CANTINIT, SQLiteErrorCode.SQLITE_READONLY_DIRECTORY);

    SqliteDataSource(SQLiteConfig config) {
        super(config);
    }

    @Override
    public org.sqlite.SQLiteConnection getConnection(String username, String password) throws SQLException {
        org.sqlite.SQLiteConnection connection = super.getConnection(username, password);
        int busyTimeout = connection.getBusyTimeout();
        try (Statement s = connection.createStatement()) {
            // SQLite refuses a write on a read-only connection before it waits for any lock, so the
            // check need not wait for a writer that holds the lock (a migration holds it for long).
            connection.setBusyTimeout(0);
            s.execute(WRITE_CHECK);
        } catch (SQLException e) {
            if (isReadOnly(e)) {
                connection.close();
                throw new SQLTransientConnectionException("SQLite opened " + getUrl().substring("jdbc:sqlite:".length())
                        + " read-only: the database or its WAL cannot be written now; not pooling a connection that"
                        + " would stay read-only (" + resultCode(e) + ")", "08001", e);
            }
            if (!isBusy(e) && !isMissingSchema(e)) {
                connection.close();
                throw e;
            }
        }
        try {
            connection.setBusyTimeout(busyTimeout);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /** Hikari's verdict on an error of a pooled connection: drop it if SQLite says it is read-only. */
    static final SQLExceptionOverride EVICT_READ_ONLY = new SQLExceptionOverride() {
        @java.lang.Override
        public Override adjudicate(SQLException e) {
            return isReadOnly(e) ? Override.MUST_EVICT : Override.CONTINUE_EVICT;
        }
    };

    /** Whether {@code e} is SQLite refusing a write because the connection is read-only. */
    static boolean isReadOnly(SQLException e) {
        return e instanceof SQLiteException s && READ_ONLY.contains(s.getResultCode());
    }

    /** SQLite's result code name, such as {@code SQLITE_READONLY}, or the exception type. */
    static String resultCode(SQLException e) {
        return e instanceof SQLiteException s ? s.getResultCode().name() : e.getClass().getSimpleName();
    }

    /** Another connection holds the write lock: this one got past the read-only check, so it can write. */
    private static boolean isBusy(SQLException e) {
        return e instanceof SQLiteException s && s.getResultCode().name().startsWith("SQLITE_BUSY");
    }

    private static boolean isMissingSchema(SQLException e) {
        return e instanceof SQLiteException s && s.getResultCode() == SQLiteErrorCode.SQLITE_ERROR
                && String.valueOf(s.getMessage()).contains("no such table");
    }
}
