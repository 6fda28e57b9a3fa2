package dev.mfagate.core.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A PostgreSQL connection URL taken apart: hosts, ports, database, user, password and the other
 * parameters, so that the driver gets them as properties rather than as a URL it reads its own way.
 *
 * <p>Accepted forms, all with optional {@code ?param=value&...}:
 * <ul>
 *   <li>libpq's URI: {@code postgresql://[user[:password]@][host][:port][,host2[:port2]...][/database]}
 *       and the same with {@code postgres://} (the PostgreSQL documentation, "Connection URIs");
 *       user and password percent-encoded ({@code @} as {@code %40});</li>
 *   <li>the same with the user and password as parameters: {@code postgresql://host/db?user=u&password=p};</li>
 *   <li>the JDBC driver's: {@code jdbc:postgresql://host:port/db?user=...} and {@code jdbc:postgresql:db}.</li>
 * </ul>
 * Missing parts take libpq's defaults: host {@code localhost}, port 5432, database named after the user.
 * libpq's parameter names {@code dbname}, {@code connect_timeout} and {@code application_name} are
 * mapped to the driver's; other parameters ({@code sslmode}, {@code sslrootcert}, {@code currentSchema},
 * {@code targetServerType}, ...) pass to the driver, which refuses the ones it does not know.
 *
 * <p>The password is never shown: {@link #toString()} and {@link #redacted()} replace it with
 * {@code ***}, and parse errors never quote the URL. Immutable and thread-safe.
 */
public final class PostgresUrl {

    /** libpq's default port. */
    public static final int DEFAULT_PORT = 5432;

    private static final String FORM = "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?PARAM=VALUE&...]";
    private static final Map<String, String> LIBPQ_NAMES = Map.of(
            "connect_timeout", "connectTimeout",
            "application_name", "ApplicationName",
            "dbname", "database");

    private final List<HostPort> hosts;
    private final String database;
    private final String user;
    private final String password;
    private final Map<String, String> parameters;

    /** One server of the URL. */
    public record HostPort(String host, int port) {
        /** Validates the port. */
        public HostPort {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("Invalid PostgreSQL port " + port + "; must be from 1 to 65535");
            }
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private PostgresUrl(List<HostPort> hosts, String database, String user, String password, Map<String, String> parameters) {
        this.hosts = List.copyOf(hosts);
        this.database = database;
        this.user = user;
        this.password = password;
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** Whether {@code url} names a PostgreSQL database ({@code postgresql:}, {@code postgres:} or {@code jdbc:postgresql:}). */
    public static boolean isPostgres(String url) {
        if (url == null) {
            return false;
        }
        String u = url.strip().toLowerCase(Locale.ROOT);
        return u.startsWith("postgresql://") || u.startsWith("postgres://") || u.startsWith("jdbc:postgresql:");
    }

    /**
     * Parses {@code url}.
     *
     * @throws IllegalArgumentException naming what is wrong and the expected form, never quoting the URL
     */
    public static PostgresUrl parse(String url) {
        Objects.requireNonNull(url, "url");
        String u = url.strip();
        String lower = u.toLowerCase(Locale.ROOT);
        String rest;
        if (lower.startsWith("jdbc:postgresql://")) {
            rest = u.substring("jdbc:postgresql://".length());
        } else if (lower.startsWith("jdbc:postgresql:")) {
            // jdbc:postgresql:database (no host): the driver's short form for localhost.
            rest = "/" + u.substring("jdbc:postgresql:".length());
        } else if (lower.startsWith("postgresql://")) {
            rest = u.substring("postgresql://".length());
        } else if (lower.startsWith("postgres://")) {
            rest = u.substring("postgres://".length());
        } else {
            throw invalid("it must start with postgresql://, postgres:// or jdbc:postgresql:");
        }
        URI uri;
        try {
            uri = new URI("postgresql://" + rest);
        } catch (URISyntaxException e) {
            throw invalid("it is not a valid URI at character " + Math.max(0, e.getIndex() - "postgresql://".length())
                    + " (" + e.getReason() + "); percent-encode special characters in the user and password"
                    + " (@ as %40, : as %3A, / as %2F, # as %23, % as %25)");
        }
        if (uri.getRawFragment() != null) {
            throw invalid("it has a '#' part; percent-encode a '#' in the password as %23");
        }
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
        }
        List<HostPort> hosts = hosts(authority);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = path.startsWith("/") ? decode(path.substring(1)) : decode(path);
        if (database.contains("/")) {
            throw invalid("the database name must not contain '/'");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                name = LIBPQ_NAMES.getOrDefault(name, name);
                switch (name) {
                    case "user" -> user = value;
                    case "password" -> password = value;
                    case "database" -> database = value;
                    case "host", "port" -> throw invalid("give the host and port before the path"
                            + " (postgresql://HOST:PORT/DATABASE), not as the parameter '" + name + "'");
                    default -> parameters.put(name, value);
                }
            }
        }
        if (user != null && user.isEmpty()) {
            user = null;
        }
        if (database.isEmpty()) {
            if (user == null) {
                throw invalid("it names no database (and no user, whose name libpq would take)");
            }
            database = user;
        }
        return new PostgresUrl(hosts, database, user, password, parameters);
    }

    private static List<HostPort> hosts(String authority) {
        List<HostPort> hosts = new ArrayList<>();
        if (authority.isEmpty()) {
            hosts.add(new HostPort("localhost", DEFAULT_PORT));
            return hosts;
        }
        int i = 0;
        while (i <= authority.length()) {
            String host;
            int end;
            if (i < authority.length() && authority.charAt(i) == '[') {
                int close = authority.indexOf(']', i);
                if (close < 0) {
                    throw invalid("an IPv6 address lacks its closing ']'");
                }
                host = authority.substring(i + 1, close);
                end = close + 1;
            } else {
                end = i;
                while (end < authority.length() && authority.charAt(end) != ':' && authority.charAt(end) != ',') {
                    end++;
                }
                host = decode(authority.substring(i, end));
            }
            int port = DEFAULT_PORT;
            if (end < authority.length() && authority.charAt(end) == ':') {
                int portEnd = authority.indexOf(',', end);
                portEnd = portEnd < 0 ? authority.length() : portEnd;
                String digits = authority.substring(end + 1, portEnd);
                if (!digits.matches("[0-9]{1,5}") || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > 65_535) {
                    throw invalid("the port must be a number from 1 to 65535");
                }
                port = Integer.parseInt(digits);
                end = portEnd;
            }
            if (host.isEmpty()) {
                host = "localhost";
            }
            hosts.add(new HostPort(host, port));
            if (end >= authority.length()) {
                break;
            }
            if (authority.charAt(end) != ',') {
                throw invalid("hosts are separated by ','");
            }
            i = end + 1;
        }
        return hosts;
    }

    private static String decode(String raw) {
        try {
            // URLDecoder reads '+' as a space (form encoding); in a URI it is a plus sign.
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("it has a '%' not followed by two hex digits; write a '%' as %25");
        }
    }

    private static IllegalArgumentException invalid(String why) {
        return new IllegalArgumentException("Invalid PostgreSQL URL: " + why + "; expected " + FORM);
    }

    /** The servers, in the order given (the driver tries them in turn). */
    public List<HostPort> hosts() {
        return hosts;
    }

    /** The first server's host. */
    public String host() {
        return hosts.get(0).host();
    }

    /** The first server's port. */
    public int port() {
        return hosts.get(0).port();
    }

    /** The database name. */
    public String database() {
        return database;
    }

    /** The user, when the URL names one (otherwise the driver's default applies). */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** Whether the URL carries a password (never shown). */
    public boolean hasPassword() {
        return password != null;
    }

    /** The password, for the driver only. */
    Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** The driver parameters other than user, password and database, in the order given. */
    public Map<String, String> parameters() {
        return parameters;
    }

    /**
     * This database as an operator reads it in an error: {@code host 127.0.0.1, port 5432, database
     * test, user postgres}. No password.
     */
    public String describe() {
        String where = hosts.size() == 1
                ? "host " + host() + ", port " + port()
                : "hosts " + hosts.stream().map(HostPort::toString).collect(Collectors.joining(", "));
        return where + ", database " + database + ", user " + user().orElse("(none given)");
    }

    /** The URL in libpq form with the password replaced by {@code ***}. */
    public String redacted() {
        StringBuilder s = new StringBuilder("postgresql://");
        if (user != null) {
            s.append(encode(user));
            if (password != null) {
                s.append(":***");
            }
            s.append('@');
        }
        s.append(hosts.stream().map(HostPort::toString).collect(Collectors.joining(",")));
        s.append('/').append(encode(database));
        if (user == null && password != null) {
            parametersWithPassword(s);
        } else if (!parameters.isEmpty()) {
            s.append('?').append(parameters.entrySet().stream()
                    .map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&")));
        }
        return s.toString();
    }

    private void parametersWithPassword(StringBuilder s) {
        s.append("?password=***");
        parameters.forEach((k, v) -> s.append('&').append(encode(k)).append('=').append(encode(v)));
    }

    private static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return out.toString();
    }

    /** The same as {@link #redacted()}: never the password. */
    @Override
    public String toString() {
        return redacted();
    }
}
