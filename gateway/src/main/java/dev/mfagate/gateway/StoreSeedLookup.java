package dev.mfagate.gateway;

import dev.mfagate.core.Label;
import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.store.SeedInfo;
import dev.mfagate.core.store.SeedRepository;
import dev.mfagate.core.totp.TotpSeed;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Seeds from the encrypted store first, then from read-only {@code MFAGATE_SEED_*} environment
 * variables (twelve-factor deployments and the demo). Environment seeds are held in memory for the
 * process's life, as the environment itself is; each {@link #find} hands out a copy that the caller
 * destroys.
 */
public final class StoreSeedLookup implements SeedLookup {

    private final SeedRepository store;
    private final Map<Label, TotpSeed> environment;

    /** @param environment seeds parsed from the environment; owned by this lookup from now on */
    public StoreSeedLookup(SeedRepository store, Map<Label, TotpSeed> environment) {
        this.store = store;
        this.environment = Map.copyOf(environment);
    }

    @Override
    public Optional<TotpSeed> find(Label label) {
        Optional<TotpSeed> stored = store.find(label);
        if (stored.isPresent()) {
            return stored;
        }
        TotpSeed env = environment.get(label);
        if (env == null) {
            return Optional.empty();
        }
        byte[] copy = env.secret().toByteArray();
        try {
            return Optional.of(new TotpSeed(SecretBytes.copyOf(copy), env.parameters(),
                    env.issuer().orElse(null), env.accountName().orElse(null)));
        } finally {
            java.util.Arrays.fill(copy, (byte) 0);
        }
    }

    @Override
    public SortedSet<Label> labels() {
        SortedSet<Label> all = new TreeSet<>(environment.keySet());
        for (SeedInfo i : store.list()) {
            all.add(i.label());
        }
        return all;
    }
}
