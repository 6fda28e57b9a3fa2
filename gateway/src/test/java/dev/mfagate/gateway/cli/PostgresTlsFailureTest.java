package dev.mfagate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.store.PostgresUrl;
import dev.mfagate.gateway.InProcessCli;
import dev.mfagate.gateway.TestStores;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * A PostgreSQL connection refused for TLS reasons gets advice about TLS: before, it was told to
 * check that the server runs and pg_hba.conf, which a CA file the service cannot read never fixes.
 */
class PostgresTlsFailureTest {

    @RegisterExtension
    static final TestStores STORES = new TestStores();

    @TempDir
    Path dir;

    @Test
    void caFileUnreadable_adviceNamesSslrootcertAndItsReader() {
        String message = StoreOpener.connectionFailure(PostgresUrl.parse("postgresql://mfagate@db.internal:5432/mfagate"),
                new PSQLException("Could not open SSL root certificate file /etc/mfagate/postgresql-ca.crt.", PSQLState.CONNECTION_UNABLE_TO_CONNECT));
        assertThat(message).contains("Could not open SSL root certificate file").contains("sslrootcert")
                .contains("readable by the user running mfagate").doesNotContain("pg_hba.conf");
    }

    @Test
    void verifyFullAgainstTheLocalServer_oneLineAboutTls() {
        // The local server: the URL of a fresh database, asking for verified TLS it does not offer (or
        // offers with a certificate no CA file here signs).
        String url = STORES.fresh(TestStores.Backend.POSTGRESQL, dir).databaseUrl();
        String tls = url + (url.contains("?") ? "&" : "?") + "sslmode=verify-full&sslrootcert=" + dir.resolve("missing-ca.crt");
        InProcessCli.Result r = InProcessCli.in(dir.resolve("data")).run("token", "list", "--database", tls);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("mfagate: Cannot connect to PostgreSQL (").contains("sslrootcert").doesNotContain("\tat ");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
    }
}
