package dev.mfagate.core.issue;

import dev.mfagate.core.Label;
import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.store.SeedRepository;
import dev.mfagate.core.store.TenantKeyUnavailableException;
import dev.mfagate.core.totp.TotpSeed;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;

/**
 * Where the issuer finds a seed, found first and decrypted later: {@link #locate} reads what it
 * needs without decrypting, and {@link Located#open()} decrypts once the audit entry is committed.
 * Implementations are thread-safe.
 */
public interface SeedSource {

    /** A seed that was found and is not decrypted yet. */
    interface Located {
        /** Whether {@link #open()} has the key it needs now. */
        boolean keyHeld();

        /**
         * Why the seed's tenant key cannot be used (revoked, or its provider failed), or empty when
         * the tenant has no key of its own or it is fine.
         */
        default Optional<TenantKeyUnavailableException> tenantKeyProblem() {
            return Optional.empty();
        }

        /**
         * Decrypts a fresh copy; the caller destroys it straight after use.
         *
         * @throws dev.mfagate.core.crypto.SeedDecryptionException when it does not open
         */
        TotpSeed open();
    }

    /** The seed of {@code label}, not yet decrypted, or empty when no seed has that label. */
    Optional<Located> locate(Label label);

    /**
     * Every label that has a seed not disabled and starts with {@code prefix} ({@code ""} for all):
     * labels only, never a seed, and from the store only the rows with that prefix.
     */
    SortedSet<Label> labels(String prefix);

    /**
     * Seeds from the encrypted store first, then from read-only {@code MFAGATE_SEED_*} environment
     * variables (twelve-factor deployments and the demo). Environment seeds are held in memory for
     * the process's life, as the environment itself is; each open hands out a copy.
     *
     * @param environment seeds parsed from the environment; owned by the source from now on
     */
    static SeedSource of(SeedRepository store, Map<Label, TotpSeed> environment) {
        Map<Label, TotpSeed> env = Map.copyOf(environment);
        return new SeedSource() {
            @Override
            public Optional<Located> locate(Label label) {
                Optional<SeedRepository.SealedRow> row = store.findSealed(label);
                if (row.isPresent()) {
                    SeedRepository.SealedRow r = row.get();
                    return Optional.of(new Located() {
                        @Override
                        public boolean keyHeld() {
                            return r.keyHeld();
                        }

                        @Override
                        public Optional<TenantKeyUnavailableException> tenantKeyProblem() {
                            return r.tenantKeyProblem();
                        }

                        @Override
                        public TotpSeed open() {
                            return r.open();
                        }
                    });
                }
                TotpSeed seed = env.get(label);
                if (seed == null) {
                    return Optional.empty();
                }
                return Optional.of(new Located() {
                    @Override
                    public boolean keyHeld() {
                        return true;
                    }

                    @Override
                    public TotpSeed open() {
                        byte[] copy = seed.secret().toByteArray();
                        try {
                            return new TotpSeed(SecretBytes.copyOf(copy), seed.parameters(),
                                    seed.issuer().orElse(null), seed.accountName().orElse(null));
                        } finally {
                            java.util.Arrays.fill(copy, (byte) 0);
                        }
                    }
                });
            }

            @Override
            public SortedSet<Label> labels(String prefix) {
                SortedSet<Label> all = store.enabledLabels(prefix);
                env.keySet().stream().filter(l -> l.value().startsWith(prefix)).forEach(all::add);
                return all;
            }
        };
    }
}
