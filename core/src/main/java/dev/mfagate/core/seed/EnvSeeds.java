package dev.mfagate.core.seed;

import dev.mfagate.core.Label;
import dev.mfagate.core.seed.SeedImportException.Kind;
import dev.mfagate.core.totp.TotpSeed;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Read-only seeds from environment variables, for twelve-factor deployments and the demo:
 * {@code MFAGATE_SEED_<CLIENT>_<SERVICE>=<base32 secret or otpauth://totp/ URI>}.
 *
 * <p>The first segment after the prefix is the client, the rest is the service with {@code _}
 * turned into {@code -}, all lower-cased: {@code MFAGATE_SEED_ACME_AWS_PROD} is
 * {@code acme-aws-prod}. Labels whose service has an underscore cannot be written this way.
 * Values are parsed by {@link SeedParser}; a bad one fails the whole set with a message that names
 * the variable, never its value. Other variables are ignored.
 *
 * <p>Stateless and thread-safe; takes the variables as a map (for example {@code System.getenv()}
 * or {@link dev.mfagate.api.config.DotEnv#read}) and never reads the environment itself.
 */
public final class EnvSeeds {

    /** The prefix of seed variables. */
    public static final String PREFIX = "MFAGATE_SEED_";

    private EnvSeeds() {
    }

    /**
     * The seeds named by {@code MFAGATE_SEED_*} variables, by label, in label order.
     *
     * @throws SeedImportException naming the first bad variable (in name order): {@link Kind#BAD_MAPPING}
     *     for a name that is not a label, {@link Kind#DUPLICATE_LABEL} for two names of one label,
     *     or the value's own kind
     */
    public static Map<Label, TotpSeed> from(Map<String, String> variables) throws SeedImportException {
        Objects.requireNonNull(variables, "variables");
        Map<Label, TotpSeed> seeds = new TreeMap<>();
        Map<Label, String> names = new HashMap<>();
        try {
            for (Map.Entry<String, String> variable : new TreeMap<>(variables).entrySet()) {
                String name = variable.getKey();
                if (!name.startsWith(PREFIX)) {
                    continue;
                }
                String where = "variable " + Shown.value(name);
                Label label = label(name, where);
                String earlier = names.putIfAbsent(label, name);
                if (earlier != null) {
                    throw new SeedImportException(Kind.DUPLICATE_LABEL, where + ": label " + label
                            + " is already given by " + Shown.value(earlier));
                }
                try {
                    seeds.put(label, SeedParser.parse(Objects.requireNonNullElse(variable.getValue(), "")));
                } catch (SeedImportException e) {
                    throw e.in(where);
                }
            }
        } catch (SeedImportException e) {
            seeds.values().forEach(TotpSeed::destroy);
            throw e;
        }
        return Collections.unmodifiableMap(seeds);
    }

    private static Label label(String name, String where) throws SeedImportException {
        String rest = name.substring(PREFIX.length());
        int underscore = rest.indexOf('_');
        if (underscore <= 0 || underscore == rest.length() - 1) {
            throw new SeedImportException(Kind.BAD_MAPPING, where + ": name must be "
                    + PREFIX + "<CLIENT>_<SERVICE>, for example " + PREFIX + "ACME_AWS_PROD");
        }
        try {
            return new Label(rest.substring(0, underscore), rest.substring(underscore + 1).replace('_', '-'));
        } catch (IllegalArgumentException e) {
            throw new SeedImportException(Kind.BAD_MAPPING, where + ": " + e.getMessage());
        }
    }
}
