package dev.mfagate.gateway.cli;

import dev.mfagate.core.Plural;
import dev.mfagate.core.crypto.Keyring;
import dev.mfagate.core.store.Database;
import dev.mfagate.core.store.StoreMigration;
import dev.mfagate.core.store.PostgresUrl;
import dev.mfagate.core.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mfagate migrate --from sqlite:PATH --to postgresql://...}: moves a single-instance store
 * into an empty PostgreSQL database for several instances, all or nothing, and verifies the copy
 * (see {@link StoreMigration}). The SQLite store is left as it was.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Move a SQLite store into an empty PostgreSQL database, all or nothing, and verify it.",
                "Seeds move as ciphertext (the keyset is unchanged); tokens, policy, daily usage, lockouts and the audit chain"
                        + " (same seqs and MACs) move too. Stop the gateway first; refuses a non-empty target. Example:",
                "  mfagate migrate --from sqlite:/var/lib/mfagate/mfagate.db \\",
                "    --to postgresql://mfagate@db.example.internal:5432/mfagate"})
final class MigrateCommand implements Callable<Integer> {

    private final CliContext cli;

    MigrateCommand(CliContext cli) {
        this.cli = cli;
    }

    @Option(names = "--from", required = true, paramLabel = "sqlite:PATH",
            description = "The SQLite store: sqlite:PATH to its mfagate.db, or its data directory.")
    String from;

    @Option(names = "--to", paramLabel = "URL",
            description = {"The empty PostgreSQL database (env MFAGATE_DATABASE_URL), as a URL such as:",
                    "  postgresql://USER[:PASSWORD]@HOST:5432/DATABASE"})
    @EnvironmentDefault("MFAGATE_DATABASE_URL")
    String to;

    @Option(names = "--keyset", paramLabel = "FILE",
            description = "The store's keyset (default: keyset.json beside the SQLite file; MFAGATE_KEYSET when set).")
    Path keyset;

    /** Test hook: runs inside the target transaction just before it commits. */
    Runnable beforeCommit = () -> { };

    @Override
    public Integer call() {
        Path sqliteFile = sqliteFile(from);
        if (to == null || to.isBlank() || !PostgresUrl.isPostgres(to)) {
            throw UserError.badInput("--to must be a PostgreSQL URL such as postgresql://user@host:5432/mfagate"
                    + " (or set MFAGATE_DATABASE_URL)");
        }
        // Read only when the store's keys are in a keyset file; a key provider's keyset moves with the database.
        java.util.function.Supplier<Keyring> keyring = () -> StoreOpener.environmentKeyring(cli.env()).orElseGet(() -> {
            Path file = keyset != null ? keyset : sqliteFile.toAbsolutePath().getParent().resolve(Store.KEYSET_FILE_NAME);
            if (!Files.exists(file)) {
                throw UserError.failure("No keyset at " + file + "; pass --keyset FILE or set " + Keyring.ENVIRONMENT_VARIABLE);
            }
            return Keyring.openFile(file);
        });
        try (Store source = openStore(Database.openSqlite(sqliteFile), keyring);
             Database target = StoreOpener.openDatabase(to, 4, true)) {
            StoreMigration.Summary summary;
            try {
                summary = new StoreMigration(source, target, source.keyring(), beforeCommit)
                        .run(() -> StoreOpener.openDatabase(to, 2, false));
            } catch (StoreMigration.RefusedException e) {
                throw UserError.failure(e.getMessage());
            }
            try (Store migrated = openStore(StoreOpener.openDatabase(to, 2, false), keyring)) {
                AdminAudit.record(cli, migrated, "migrate", null, "from sqlite:" + sqliteFile.toAbsolutePath()
                        + "; " + Plural.of(summary.rows().get("audit_entry"), "audit entry", "audit entries") + " up to seq " + summary.lastAuditSeq());
            } catch (RuntimeException e) {
                cli.err().println("mfagate: the store was migrated and verified, but its ADMIN audit entry could not be"
                        + " written (" + e.getClass().getSimpleName() + ")");
            }
            cli.out().println("Migrated " + source.database().description() + " to " + target.description()
                    + " in " + summary.took().toMillis() + " ms:");
            summary.rows().forEach((table, n) -> cli.out().printf("  %-20s %s%n", table, Plural.of(n, "row", "rows")));
            cli.out().println("Verified: audit chain intact up to seq " + summary.lastAuditSeq()
                    + ", row counts equal, " + Plural.of(summary.seedsOpened(), "seed decrypts", "seeds decrypt") + " with the keyset.");
            cli.out().println("Next: serve every instance with --database URL and this keyset; retire "
                    + sqliteFile.toAbsolutePath() + " (it is unchanged) so that nothing serves from it.");
        }
        return ExitCodes.OK;
    }

    /** A store over {@code db} wherever its keys live, closing {@code db} when they do not fit it. */
    private Store openStore(Database db, java.util.function.Supplier<Keyring> keyring) {
        try {
            return Store.open(db, cli.env(), keyring);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private static Path sqliteFile(String from) {
        String path = from.startsWith("jdbc:sqlite:") ? from.substring("jdbc:sqlite:".length())
                : from.startsWith("sqlite:") ? from.substring("sqlite:".length()) : from;
        if (path.isBlank() || PostgresUrl.isPostgres(from)) {
            throw UserError.badInput("--from must be a SQLite store: sqlite:PATH to its mfagate.db, or its data directory");
        }
        Path file = Path.of(path);
        if (Files.isDirectory(file)) {
            file = file.resolve(Store.DATABASE_FILE_NAME);
        }
        if (!Files.isRegularFile(file)) {
            throw UserError.failure("No SQLite store at " + file.toAbsolutePath());
        }
        return file;
    }
}
