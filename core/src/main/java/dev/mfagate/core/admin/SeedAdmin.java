package dev.mfagate.core.admin;

import dev.mfagate.core.Label;
import dev.mfagate.core.seed.ImportedEntry;
import dev.mfagate.core.seed.LabelMapping;
import dev.mfagate.core.seed.LabeledSeed;
import dev.mfagate.core.seed.QrImages;
import dev.mfagate.core.seed.SeedImportException;
import dev.mfagate.core.seed.SeedImports;
import dev.mfagate.core.store.DuplicateLabelException;
import dev.mfagate.core.store.SeedInfo;
import dev.mfagate.core.store.SeedRepository;
import dev.mfagate.core.store.TenantSeedLimitException;
import dev.mfagate.core.tenant.AdminAuthorizer.Action;
import dev.mfagate.core.tenant.AdminAuthorizer.Resource;
import dev.mfagate.core.tenant.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A tenant's seeds over the admin API: add a batch (base32 secrets, {@code otpauth://} URIs, a
 * Google Authenticator export, or the QR image of any of these), all or nothing; list their
 * metadata; disable; remove. No answer and no audit entry ever holds a seed: what is shown is
 * {@link SeedInfo}, the seed's parameters. A tenant's seeds are the labels whose client is the
 * tenant; any other label answers as a missing one. Thread-safe.
 */
public final class SeedAdmin {

    /**
     * A stored seed as the admin API lists it.
     *
     * @param info its parameters, never its secret
     * @param disabledAt when it was disabled, if it was
     */
    public record Listed(SeedInfo info, Optional<Instant> disabledAt) {
        /** Validates. */
        public Listed {
            Objects.requireNonNull(info, "info");
            Objects.requireNonNull(disabledAt, "disabledAt");
        }
    }

    /**
     * The largest uploaded image, in pixels (a phone photo is 12 million): checked before it is
     * decoded, because a small file can declare a huge image and the gateway's heap is small.
     */
    public static final long MAX_IMAGE_PIXELS = 12_000_000L;

    /**
     * The most seeds one request may add (over the admin API and in the console): a client's
     * accounts come a few at a time, and a larger batch comes in several requests. Counted by its
     * labels, before any seed is read.
     */
    public static final int MAX_SEEDS_PER_UPLOAD = 100;

    /** The sentence a batch over {@link #MAX_SEEDS_PER_UPLOAD} is refused with; {@code n} is its size. */
    public static String batchTooLarge(int n) {
        return "Nothing stored: one request adds at most " + MAX_SEEDS_PER_UPLOAD + " seeds, and this one has " + n
                + "; send them in several";
    }

    private final SeedRepository seeds;
    private final AdminDesk desk;

    /** A service over {@code seeds}. */
    public SeedAdmin(SeedRepository seeds, AdminDesk desk) {
        this.seeds = Objects.requireNonNull(seeds, "seeds");
        this.desk = Objects.requireNonNull(desk, "desk");
    }

    /**
     * Adds the seeds of {@code text} (one base32 secret or URI per line, as {@link SeedImports}
     * reads them) under {@code labels}, one per seed in order, all or none.
     */
    public AdminResult<List<SeedInfo>> addText(AdminRequest r, List<String> labels, String text) {
        Optional<AdminResult.Refused<List<SeedInfo>>> refused = desk.authorize(r, Resource.SEEDS, Action.CHANGE);
        if (refused.isPresent()) {
            return refused.get();
        }
        if (text == null || text.isBlank()) {
            return AdminResult.invalid("Give the seeds in 'text': base32 secrets, otpauth:// or otpauth-migration:// URIs,"
                    + " one per line");
        }
        return store(r, labels, () -> SeedImports.readText("the request's text", text));
    }

    /** Adds the seeds of the QR codes in {@code image} (PNG, JPEG, GIF or BMP) under {@code labels}, all or none. */
    public AdminResult<List<SeedInfo>> addImage(AdminRequest r, List<String> labels, byte[] image) {
        Optional<AdminResult.Refused<List<SeedInfo>>> refused = desk.authorize(r, Resource.SEEDS, Action.CHANGE);
        if (refused.isPresent()) {
            return refused.get();
        }
        return store(r, labels, () -> SeedImports.readText("the uploaded image",
                String.join("\n", QrImages.decode(image, MAX_IMAGE_PIXELS))));
    }

    /** Reads a batch of seeds; may throw what {@link SeedImports} throws. */
    @FunctionalInterface
    private interface Reading {
        List<ImportedEntry> read() throws SeedImportException;
    }

    private AdminResult<List<SeedInfo>> store(AdminRequest r, List<String> labels, Reading reading) {
        TenantId tenant = r.target().tenant().orElseThrow();
        if (labels == null || labels.isEmpty()) {
            return AdminResult.invalid("Give 'labels': one label per seed, in the order the seeds come");
        }
        if (labels.size() > MAX_SEEDS_PER_UPLOAD) {
            return new AdminResult.Refused<>(AdminResult.Kind.INVALID, batchTooLarge(labels.size()),
                    AdminResult.SEED_BATCH_TOO_LARGE);
        }
        for (String l : labels) {
            try {
                if (!tenant.owns(Label.requireNotSecretShaped(Label.parse(Objects.requireNonNullElse(l, ""))))) {
                    return AdminResult.invalid("Every label must be tenant " + tenant + "'s (" + tenant + "-...)");
                }
            } catch (IllegalArgumentException e) {
                return AdminResult.invalid(e.getMessage());
            }
        }
        List<LabeledSeed> labelled;
        try {
            List<ImportedEntry> entries = reading.read();
            try {
                labelled = LabelMapping.ofLabels(labels).assign(entries);
            } catch (SeedImportException e) {
                entries.forEach(x -> x.seed().destroy());
                throw e;
            }
        } catch (SeedImportException e) {
            return AdminResult.invalid("Nothing stored: " + e.getMessage());
        }
        try {
            seeds.addAll(labelled.stream().map(s -> Map.entry(s.label(), s.seed())).toList(), r.now());
        } catch (DuplicateLabelException e) {
            return AdminResult.conflict("Nothing stored: the label " + e.label() + " has a seed already; remove it first");
        } catch (TenantSeedLimitException e) {
            return new AdminResult.Refused<>(AdminResult.Kind.CONFLICT, "Nothing stored: " + e.getMessage()
                    + "; remove seeds it no longer needs first", AdminResult.TENANT_SEED_LIMIT);
        } finally {
            labelled.forEach(s -> s.seed().destroy());
        }
        List<SeedInfo> stored = labelled.stream().map(s -> seeds.info(s.label()).orElseThrow()).toList();
        // One entry per seed, each with its label: a batch's one entry would cut its detail short.
        int n = stored.size();
        desk.changedEach(r, "seed-add", stored.stream().map(i -> i.label().value()).toList(),
                java.util.stream.IntStream.range(0, n).mapToObj(i -> "added " + describe(stored.get(i))
                        + (n > 1 ? "; " + (i + 1) + " of " + n + " in one request" : "")).toList());
        return new AdminResult.Done<>(stored);
    }

    /** The tenant's seeds, by label, with their parameters and whether each is disabled. */
    public AdminResult<List<Listed>> list(AdminRequest r) {
        Optional<AdminResult.Refused<List<Listed>>> refused = desk.authorize(r, Resource.SEEDS, Action.READ);
        if (refused.isPresent()) {
            return refused.get();
        }
        TenantId tenant = r.target().tenant().orElseThrow();
        List<Listed> out = seeds.list(tenant).stream().map(e -> new Listed(e.getKey(), e.getValue())).toList();
        desk.read(r, "listed " + out.size() + " seed(s)");
        return new AdminResult.Done<>(out);
    }

    /** Disables the seed of {@code label}: it stays stored and issues no code. */
    public AdminResult<Listed> disable(AdminRequest r, String label) {
        Optional<AdminResult.Refused<Listed>> refused = desk.authorize(r, Resource.SEEDS, Action.CHANGE);
        if (refused.isPresent()) {
            return refused.get();
        }
        Optional<Label> own = own(r, label);
        if (own.isEmpty() || seeds.info(own.get()).isEmpty()) {
            return AdminResult.notFound();
        }
        if (seeds.disable(own.get(), r.now())) {
            desk.changed(r, "seed-disable", own.get().value(), null, "disabled seed " + own.get());
        }
        return new AdminResult.Done<>(new Listed(seeds.info(own.get()).orElseThrow(),
                Optional.ofNullable(seeds.disabled().get(own.get()))));
    }

    /** Removes the seed of {@code label}. */
    public AdminResult<Boolean> remove(AdminRequest r, String label) {
        Optional<AdminResult.Refused<Boolean>> refused = desk.authorize(r, Resource.SEEDS, Action.CHANGE);
        if (refused.isPresent()) {
            return refused.get();
        }
        Optional<Label> own = own(r, label);
        if (own.isEmpty() || !seeds.remove(own.get())) {
            return AdminResult.notFound();
        }
        desk.changed(r, "seed-remove", own.get().value(), null, "removed seed " + own.get());
        return new AdminResult.Done<>(true);
    }

    /** The label, when it is valid and the target tenant's; otherwise empty (answered as missing). */
    static Optional<Label> own(AdminRequest r, String label) {
        try {
            Label l = Label.parse(Objects.requireNonNullElse(label, ""));
            return r.target().tenant().filter(t -> t.owns(l)).map(t -> l);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String describe(SeedInfo i) {
        return "seed " + i.label() + " (" + i.algorithm() + ", " + i.digits() + " digits, " + i.periodSeconds() + " s)";
    }

}
