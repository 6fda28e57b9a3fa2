package dev.mfagate.core.store;

import dev.mfagate.core.Plural;
import dev.mfagate.core.audit.AuditVerifier;
import dev.mfagate.core.audit.VerificationResult;
import dev.mfagate.core.crypto.Keyring;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.result.ResultIterator;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Moves everything a single-instance store holds from SQLite into an empty PostgreSQL database:
 * tenants, people, their identities and role bindings, seeds (their ciphertext and wrapped data keys as stored: nothing is decrypted or re-encrypted,
 * the keyset is unchanged), seed versions, the KEK claim, tokens (hashes), policy rules and their
 * version, daily usage, lockouts, and the audit chain with its head (same seqs, same MACs).
 * In-memory rate-limit buckets of the SQLite instance are not state and start full.
 *
 * <p><b>All or nothing.</b> The source is locked against writers ({@code BEGIN IMMEDIATE}) for the
 * whole run, and its chain must verify before anything is copied. Every row goes to the target in
 * ONE transaction that first locks the target's chain head and refuses a target holding anything;
 * before it commits, each table's row count and an order-independent digest of its rows are read
 * back from the target and compared with the source's. After the commit the copy is verified
 * again through a fresh pool: {@link AuditVerifier} on the target, row counts, and every seed
 * decrypted with the keyset. If that fails the copied rows are removed again, in one transaction.
 *
 * <p>Not thread-safe; one run per instance. The caller owns both databases.
 */
public final class StoreMigration {

    /**
     * The migration was refused or did not verify; the message is one sentence for the operator
     * (the CLI prints it and exits 1). Nothing of the copy is left in the target.
     */
    public static final class RefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message, null, false, false);
        }
    }

    /** How a column's values are read and bound; identical on both dialects. */
    public enum Kind { LONG, INT, TEXT, BLOB, BLOB_OR_NULL, BOOL }

    public record Column(String name, Kind kind) {
    }

    /**
     * A table to copy; a singleton holds one row that the migrations create, which the copy replaces.
     */
    public record Table(String name, boolean singleton, List<Column> columns) {
        String columnList() {
            return columns.stream().map(Column::name).collect(Collectors.joining(", "));
        }
    }

    /**
     * The schema (V1 to V9) as copied, in order. A column or table in the source that is not listed
     * here stops the migration, so a later schema change cannot be dropped silently.
     */
    public static final List<Table> TABLES = List.of(
            table("kek_state", true, "id:INT primary_kek_id:TEXT"),
            table("seeds", false, "label:TEXT version:INT algorithm:TEXT digits:INT period_seconds:INT issuer:TEXT"
                    + " account_name:TEXT kek_id:TEXT wrapped_key:BLOB ciphertext:BLOB created_at_ms:LONG disabled_at_ms:LONG"),
            table("seed_label_versions", false, "label:TEXT last_version:INT"),
            table("tenant", false, "id:TEXT created_at_ms:LONG"),
            table("person", false, "id:TEXT display_name:TEXT created_at_ms:LONG"),
            table("person_identity", false, "kind:TEXT value:TEXT person_id:TEXT created_at_ms:LONG"),
            table("passkey", false, "credential_id:TEXT person_id:TEXT name:TEXT attested_data:BLOB sign_count:LONG"
                    + " created_at_ms:LONG last_used_ms:LONG"),
            table("sensitive_label", false, "label:TEXT marked_at_ms:LONG"),
            table("role_binding", false, "holder:TEXT role:TEXT tenant_id:TEXT created_by:TEXT created_at_ms:LONG"),
            table("api_tokens", false, "id:TEXT name:TEXT token_sha256:BLOB label_pattern:TEXT on_behalf_of:BOOL"
                    + " created_at_ms:LONG expires_at_ms:LONG revoked_at_ms:LONG tenant_id:TEXT role:TEXT"),
            table("policy_rule", false, "id:TEXT principal:TEXT pattern:TEXT expires_at_ms:LONG daily_cap:INT"
                    + " created_by:TEXT created_at_ms:LONG tenant_id:TEXT"),
            table("policy_version", true, "id:INT version:LONG"),
            table("policy_daily_usage", false, "rule_id:TEXT principal_key:TEXT label:TEXT day:TEXT uses:INT"),
            table("lockout_state", false, "principal_key:TEXT window_start_ms:LONG denials:INT locked_until_ms:LONG"
                    + " recent_denials_ms:TEXT"),
            table("audit_entry", false, "seq:LONG time_us:LONG request_id:TEXT route:TEXT token_id:TEXT"
                    + " zulip_user_id:LONG zulip_email:TEXT label:TEXT outcome:TEXT reason:TEXT rule_id:TEXT"
                    + " remote_address:TEXT instance_id:TEXT detail:TEXT prev_mac:BLOB mac:BLOB"),
            table("audit_head", true, "id:INT seq:LONG mac:BLOB head_mac:BLOB_OR_NULL"),
            table("key_provider", true, "id:INT reference:TEXT wrapped_keyset:BLOB_OR_NULL generation:LONG updated_at_ms:LONG"),
            table("tenant_key", false, "tenant_id:TEXT reference:TEXT state:TEXT wrapped_keyset:BLOB_OR_NULL"
                    + " primary_kek_id:TEXT installation_kek_id:TEXT generation:LONG updated_at_ms:LONG"));

    /**
     * Source tables that are not store content. Console sign-ins and sessions (V7) are not carried
     * over: after a migration people sign in to the console again. Nor are WebAuthn challenges and
     * break-glass enrolment codes (V9), which live minutes: passkeys and sensitive labels are.
     */
    private static final Set<String> NOT_CONTENT = Set.of("flyway_schema_history", "console_login", "console_session",
            "webauthn_challenge", "break_glass_enrolment");
    /** Target tables with no SQLite counterpart that must be empty all the same. */
    private static final List<String> TARGET_ONLY = List.of("rate_limit_bucket");
    private static final int BATCH_ROWS = 1_000;

    /** What was moved: rows per table, the audit chain's last seq, and how long it took. */
    public record Summary(Map<String, Long> rows, long lastAuditSeq, int seedsOpened, Duration took) {
    }

    private final Store source;
    private final Database target;
    private final Keyring keyring;
    private final Runnable beforeCommit;

    /**
     * @param source the SQLite store (opened with {@code keyring}, so the keyset is known to fit)
     * @param target the migrated, empty PostgreSQL database
     * @param beforeCommit runs inside the target transaction after every check, before the commit
     *     (tests make it fail to show that nothing is left behind)
     */
    public StoreMigration(Store source, Database target, Keyring keyring, Runnable beforeCommit) {
        this.source = Objects.requireNonNull(source, "source");
        this.target = Objects.requireNonNull(target, "target");
        this.keyring = Objects.requireNonNull(keyring, "keyring");
        this.beforeCommit = Objects.requireNonNull(beforeCommit, "beforeCommit");
        if (source.database().dialect() != Dialect.SQLITE || target.dialect() != Dialect.POSTGRESQL) {
            throw new IllegalArgumentException("migrate moves a SQLite store into PostgreSQL, not "
                    + source.database().dialect() + " into " + target.dialect());
        }
    }

    /**
     * Copies, checks, commits and verifies.
     *
     * @param reopenTarget opens a fresh pool on the target for the check after the commit
     * @throws RefusedException when the target is not empty, the source chain does not verify, or a check fails
     *     (the target is then as it was)
     */
    public Summary run(java.util.function.Supplier<Database> reopenTarget) {
        long start = System.nanoTime();
        try (Handle src = source.database().jdbi().open()) {
            // Writers (a gateway someone forgot to stop) wait until the copy is done.
            src.execute("BEGIN IMMEDIATE");
            try {
                checkSourceTables(src);
                VerificationResult chain = new AuditVerifier(source.database(), keyring.auditMac()).verify();
                if (!chain.isIntact()) {
                    throw new RefusedException("The source audit chain does not verify (" + chain.describe()
                            + "); nothing was copied. Investigate with 'mfagate audit verify' first");
                }
                Map<String, Long> rows = copyAll(src);
                long lastSeq = rows.get("audit_entry") == 0 ? 0
                        : src.createQuery("SELECT MAX(seq) FROM audit_entry").mapTo(Long.class).one();
                int seedsOpened = verifyCommitted(reopenTarget, rows, lastSeq);
                return new Summary(rows, lastSeq, seedsOpened, Duration.ofNanos(System.nanoTime() - start));
            } finally {
                src.execute("ROLLBACK");
            }
        }
    }

    private Map<String, Long> copyAll(Handle src) {
        Optional<String> sourceKek = src.createQuery("SELECT primary_kek_id FROM kek_state WHERE id = 1").mapTo(String.class).findOne();
        return target.jdbi().inTransaction(dst -> {
            // Appenders on the target (an instance started too early) wait; a second migration waits, then finds rows.
            dst.createQuery("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE").mapTo(Long.class).findOne();
            requireEmpty(dst, sourceKek);
            Map<String, Long> rows = new LinkedHashMap<>();
            for (Table t : TABLES) {
                RowDigest copied = copy(src, dst, t);
                RowDigest readBack = digest(dst, t);
                if (copied.rows != readBack.rows || !copied.sum.equals(readBack.sum)) {
                    throw new RefusedException("Table " + t.name() + " differs after the copy ("
                            + Plural.of(copied.rows, "row", "rows") + " read, " + readBack.rows + " in the target); nothing was committed");
                }
                rows.put(t.name(), copied.rows);
            }
            beforeCommit.run();
            return rows;
        });
    }

    /** The target holds nothing but what the migrations put there (and at most the same KEK claim). */
    private void requireEmpty(Handle dst, Optional<String> sourceKek) {
        List<String> occupied = new ArrayList<>();
        for (Table t : TABLES) {
            if (!t.singleton() && count(dst, t.name()) > 0) {
                occupied.add(t.name());
            }
        }
        for (String name : TARGET_ONLY) {
            if (count(dst, name) > 0) {
                occupied.add(name);
            }
        }
        if (dst.createQuery("SELECT version FROM policy_version WHERE id = 1").mapTo(Long.class).findOne().orElse(0L) != 0) {
            occupied.add("policy_version");
        }
        if (dst.createQuery("SELECT seq FROM audit_head WHERE id = 1").mapTo(Long.class).findOne().orElse(0L) != 0) {
            occupied.add("audit_head");
        }
        Optional<String> targetKek = dst.createQuery("SELECT primary_kek_id FROM kek_state WHERE id = 1").mapTo(String.class).findOne();
        if (targetKek.isPresent() && !targetKek.equals(sourceKek)) {
            occupied.add("kek_state (claimed by another keyset)");
        }
        Optional<String> targetKeys = dst.createQuery("SELECT reference FROM key_provider WHERE id = 1").mapTo(String.class).findOne();
        if (targetKeys.isPresent() && !(targetKeys.get().equals("file") && targetKek.isPresent())) {
            occupied.add("key_provider (keys kept by " + targetKeys.get() + ")");
        }
        if (!occupied.isEmpty()) {
            throw new RefusedException("Refusing to migrate into " + target.description() + ": it is not empty ("
                    + String.join(", ", occupied) + "); migrate only into a new database");
        }
    }

    /** Every source table is one this migration knows, with exactly the columns it copies. */
    private static void checkSourceTables(Handle src) {
        Set<String> tables = new HashSet<>(src.createQuery(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .mapTo(String.class).list());
        tables.removeAll(NOT_CONTENT);
        for (Table t : TABLES) {
            if (!tables.remove(t.name())) {
                throw new RefusedException("The source has no table " + t.name() + "; is it an mfagate store?");
            }
            Set<String> columns = src.createQuery("SELECT * FROM " + t.name() + " LIMIT 0")
                    .scanResultSet((rs, ctx) -> columnNames(rs.get().getMetaData()));
            Set<String> known = t.columns().stream().map(Column::name).collect(Collectors.toSet());
            if (!columns.equals(known)) {
                columns.removeAll(known);
                throw new RefusedException("Table " + t.name() + " has columns this version cannot migrate: " + columns);
            }
        }
        if (!tables.isEmpty()) {
            throw new RefusedException("The source has tables this version cannot migrate: " + tables);
        }
    }

    private static Set<String> columnNames(ResultSetMetaData meta) throws SQLException {
        Set<String> names = new HashSet<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            names.add(meta.getColumnName(i).toLowerCase(Locale.ROOT));
        }
        return names;
    }

    private static RowDigest copy(Handle src, Handle dst, Table t) {
        if (t.singleton()) {
            dst.execute("DELETE FROM " + t.name());
        }
        String insert = "INSERT INTO " + t.name() + " (" + t.columnList() + ") VALUES ("
                + t.columns().stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        RowDigest digest = new RowDigest();
        PreparedBatch batch = dst.prepareBatch(insert);
        try (ResultIterator<Object[]> it = src.createQuery("SELECT " + t.columnList() + " FROM " + t.name())
                .setFetchSize(BATCH_ROWS)
                .map((rs, ctx) -> read(rs, t))
                .iterator()) {
            while (it.hasNext()) {
                Object[] row = it.next();
                digest.add(t, row);
                bind(batch, t, row).add();
                if (batch.size() == BATCH_ROWS) {
                    batch.execute();
                    batch = dst.prepareBatch(insert);
                }
            }
        }
        if (batch.size() > 0) {
            batch.execute();
        }
        return digest;
    }

    private static RowDigest digest(Handle h, Table t) {
        RowDigest digest = new RowDigest();
        try (ResultIterator<Object[]> it = h.createQuery("SELECT " + t.columnList() + " FROM " + t.name())
                .setFetchSize(BATCH_ROWS)
                .map((rs, ctx) -> read(rs, t))
                .iterator()) {
            it.forEachRemaining(row -> digest.add(t, row));
        }
        return digest;
    }

    private static Object[] read(ResultSet rs, Table t) throws SQLException {
        Object[] row = new Object[t.columns().size()];
        for (int i = 0; i < row.length; i++) {
            int c = i + 1;
            row[i] = switch (t.columns().get(i).kind()) {
                case LONG -> {
                    long v = rs.getLong(c);
                    yield rs.wasNull() ? null : v;
                }
                case INT -> {
                    int v = rs.getInt(c);
                    yield rs.wasNull() ? null : v;
                }
                case TEXT -> rs.getString(c);
                case BOOL -> {
                    boolean v = rs.getBoolean(c);
                    yield rs.wasNull() ? null : v;
                }
                // SQLite hands back an empty BLOB as null; the column says which it is.
                case BLOB -> Objects.requireNonNullElse(rs.getBytes(c), new byte[0]);
                case BLOB_OR_NULL -> rs.getBytes(c);
            };
        }
        return row;
    }

    private static PreparedBatch bind(PreparedBatch batch, Table t, Object[] row) {
        for (int i = 0; i < row.length; i++) {
            switch (t.columns().get(i).kind()) {
                case LONG -> batch.bind(i, (Long) row[i]);
                case INT -> batch.bind(i, (Integer) row[i]);
                case TEXT -> batch.bind(i, (String) row[i]);
                case BOOL -> batch.bind(i, (Boolean) row[i]);
                case BLOB, BLOB_OR_NULL -> batch.bind(i, (byte[]) row[i]);
            }
        }
        return batch;
    }

    /** Checks the committed copy through a fresh pool; removes it again if anything is off. */
    private int verifyCommitted(java.util.function.Supplier<Database> reopenTarget, Map<String, Long> rows, long lastSeq) {
        String problem;
        int opened = 0;
        try (Database fresh = reopenTarget.get()) {
            problem = null;
            VerificationResult chain = new AuditVerifier(fresh, keyring.auditMac()).verify();
            if (!(chain instanceof VerificationResult.Intact intact) || intact.entries() != lastSeq) {
                problem = "the audit chain in the target: " + chain.describe();
            }
            for (Table t : TABLES) {
                long n = fresh.jdbi().withHandle(h -> count(h, t.name()));
                if (problem == null && n != rows.get(t.name())) {
                    problem = "table " + t.name() + " has " + Plural.of(n, "row", "rows") + ", the source " + rows.get(t.name());
                }
            }
            if (problem == null) {
                opened = openEverySeed(fresh);
            }
        } catch (RuntimeException e) {
            problem = "the check failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        if (problem != null) {
            undo();
            throw new RefusedException("The copy did not verify (" + problem + "); it was removed from the target again");
        }
        return opened;
    }

    /** Decrypts every seed in the target with the keyset (and destroys it at once): the keyset fits every row. */
    private int openEverySeed(Database fresh) {
        // Store.open checks the KEK claim again; the caller closes the pool.
        int opened = 0;
        Store store = Store.open(fresh, keyring);
        for (SeedInfo info : store.seeds().list()) {
            store.seeds().find(info.label()).orElseThrow(() -> new IllegalStateException(
                    "seed " + info.label().value() + " vanished")).destroy();
            opened++;
        }
        return opened;
    }

    private void undo() {
        target.jdbi().useTransaction(h -> {
            for (Table t : TABLES.reversed()) {
                h.execute("DELETE FROM " + t.name());
            }
            h.execute("INSERT INTO policy_version (id, version) VALUES (1, 0)");
            h.execute("INSERT INTO audit_head (id, seq, mac, head_mac) VALUES (1, 0, ?, NULL)", (Object) new byte[0]);
        });
    }

    private static long count(Handle h, String table) {
        return h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one();
    }

    private static Table table(String name, boolean singleton, String spec) {
        List<Column> columns = new ArrayList<>();
        for (String part : spec.split(" ")) {
            String[] nameAndKind = part.split(":");
            columns.add(new Column(nameAndKind[0], Kind.valueOf(nameAndKind[1])));
        }
        return new Table(name, singleton, List.copyOf(columns));
    }

    /**
     * Row count and the sum (mod 2^256) of each row's SHA-256: the same for the same rows in any
     * order, so SQLite's and PostgreSQL's orderings (collations differ) need not agree.
     */
    private static final class RowDigest {
        private static final BigInteger MODULUS = BigInteger.ONE.shiftLeft(256);
        long rows;
        BigInteger sum = BigInteger.ZERO;

        void add(Table t, Object[] row) {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError("every JDK has SHA-256", e);
            }
            for (int i = 0; i < row.length; i++) {
                byte[] bytes = switch (row[i]) {
                    case null -> null;
                    case byte[] b -> b;
                    case Boolean b -> new byte[] {(byte) (b ? 1 : 0)};
                    case Long l -> ByteBuffer.allocate(8).putLong(l).array();
                    case Integer n -> ByteBuffer.allocate(8).putLong(n).array();
                    default -> row[i].toString().getBytes(StandardCharsets.UTF_8);
                };
                // Length-prefixed, -1 for NULL, so no two rows encode alike.
                sha.update(ByteBuffer.allocate(4).putInt(bytes == null ? -1 : bytes.length).array());
                if (bytes != null) {
                    sha.update(bytes);
                }
            }
            sum = sum.add(new BigInteger(1, sha.digest())).mod(MODULUS);
            rows++;
        }
    }
}
