package dev.mfagate.gateway.console;

import dev.mfagate.core.Label;
import dev.mfagate.core.audit.AuditEvent;
import dev.mfagate.core.audit.Outcome;
import dev.mfagate.core.console.ConsoleSessions.Session;
import dev.mfagate.core.issue.AuditSink;
import dev.mfagate.core.issue.RequestMeta;
import dev.mfagate.core.seed.ImportInput;
import dev.mfagate.core.seed.ImportedEntry;
import dev.mfagate.core.seed.QrImages;
import dev.mfagate.core.seed.SeedImportException;
import dev.mfagate.core.seed.SeedImports;
import dev.mfagate.core.store.DuplicateLabelException;
import dev.mfagate.core.store.SeedRepository;
import dev.mfagate.core.tenant.AdminAuthorizer;
import dev.mfagate.core.tenant.Role;
import dev.mfagate.core.tenant.RoleBinding;
import dev.mfagate.core.tenant.TenantId;
import dev.mfagate.core.tenant.TenantRepository;
import dev.mfagate.core.totp.TotpGenerator;
import dev.mfagate.core.totp.TotpWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Enrolment of seeds by a tenant admin: a base32 secret or {@code otpauth://} URI pasted, or a QR
 * image uploaded (or scanned by the browser's camera into the pasted field), stored under a label of
 * a tenant the person administers, then each first code shown so the admin can finish enrolment at
 * the service. A Google Authenticator export of several accounts is read once and held here, in
 * memory, for {@link #PENDING_FOR} under a random id bound to the session that sent it; the page
 * then lists its entries by issuer and account with a label field each, and the second submit sends
 * only the id and the labels. Expired, replaced or stored imports have their seeds destroyed. All or nothing: a refusal stores nothing and says
 * why in a plain sentence. The seed is never sent back; an {@code ADMIN} audit entry records who
 * added which label.
 *
 * <p>Whether the person may add the label's seed is {@link AdminAuthorizer}'s decision (SEEDS,
 * CHANGE, the label's tenant); a tenant the person may not see gets the same sentence as one they
 * may see but not change, so the answer says nothing about other tenants. Thread-safe.
 */
final class SeedEnrolment {

    /** What the form sent. */
    record Form(String label, String secret, byte[] qrImage) {
        @Override
        public String toString() {
            return "Form[label=" + label + "]";
        }
    }

    /** The outcome: enrolled with its first code, or refused with a sentence. */
    sealed interface Result {
        /** Every seed stored, each with its first code, in entry order. */
        record Enrolled(List<Done> done) implements Result {
        }

        /** Nothing stored: one sentence, or one per failing entry. */
        record Refused(String message, List<String> problems) implements Result {
            Refused(String message) {
                this(message, List.of());
            }
        }

        /**
         * Several seeds read and held here under {@code id}: the admin gives a label to each entry
         * (named by issuer and account, never the secret), then {@link #enrolPending} stores them.
         */
        record Pending(String id, List<Row> rows, String message) implements Result {
        }
    }

    /** One stored seed and its first code. */
    record Done(Label label, TotpWindow firstCode) {
    }

    /** One entry of a pending import as the page shows it: its name, the label given, what is wrong with it. */
    /**
     * {@code label} as the form may show it again: only a valid label that does not look like a secret
     * ({@link Label#requireNotSecretShaped}); a secret pasted into a label field is never sent back.
     */
    static String echoable(String label) {
        String l = label == null ? "" : label.strip();
        if (!Label.isValid(l)) {
            return "";
        }
        try {
            Label.requireNotSecretShaped(Label.parse(l));
            return l;
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    record Row(int index, String name, String label, String error) {
    }

    /** How long a read import waits for its labels. */
    static final Duration PENDING_FOR = Duration.ofMinutes(10);
    private static final int MAX_PENDING = 200;

    private record Held(String sessionRef, List<ImportedEntry> entries, Instant until) {
        void destroy() {
            entries.forEach(e -> e.seed().destroy());
        }
    }

    private final java.util.concurrent.ConcurrentHashMap<String, Held> pending = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** With less than this left, the next code is shown too: entering it at the service takes a moment. */
    private static final Duration NEXT_CODE_THRESHOLD = Duration.ofSeconds(10);

    private final SeedRepository seeds;
    private final TenantRepository tenants;
    private final AuditSink audit;
    private final String instanceId;

    SeedEnrolment(SeedRepository seeds, TenantRepository tenants, AuditSink audit, String instanceId) {
        this.seeds = Objects.requireNonNull(seeds, "seeds");
        this.tenants = Objects.requireNonNull(tenants, "tenants");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
    }

    /** The tenants whose seeds the person of {@code session} may add, by id. */
    List<String> adminTenants(Session session) {
        return bindings(session).stream()
                .filter(b -> b.role() == Role.ADMIN)
                .flatMap(b -> b.scope().tenant().stream())
                .map(TenantId::value).distinct().sorted().toList();
    }

    private List<RoleBinding> bindings(Session session) {
        return tenants.bindingsOf(session.actor().holders());
    }

    /** Enrols what {@code form} holds, or says why not; nothing is stored on refusal. */
    Result enrol(Session session, Form form, Instant now, RequestMeta meta) {
        String typed = form.label() == null ? "" : form.label().strip();
        if (!typed.isEmpty() && !Label.isValid(typed)) {
            return new Result.Refused("The label must be client-service, such as acme-aws: lower-case letters, digits,"
                    + " dots, underscores and dashes.");
        }
        List<ImportInput> inputs = new ArrayList<>();
        String secret = form.secret() == null ? "" : form.secret().strip();
        if (!secret.isEmpty()) {
            inputs.add(ImportInput.text("the pasted secret", secret));
        }
        if (form.qrImage() != null && form.qrImage().length > 0) {
            List<String> texts;
            try {
                // As the admin API reads one: its size checked before it is decoded, and decoded at
                // a bounded size, one image at a time (QrImages).
                texts = QrImages.decode(form.qrImage(), dev.mfagate.core.admin.SeedAdmin.MAX_IMAGE_PIXELS);
            } catch (SeedImportException e) {
                return new Result.Refused(e.kind() == SeedImportException.Kind.NOT_AN_IMAGE
                        ? "The uploaded file is not an image this gateway can read (PNG, JPEG or GIF)."
                        : "The uploaded image: " + e.getMessage() + ".");
            }
            inputs.add(ImportInput.text("the uploaded image", String.join("\n", texts)));
        }
        if (inputs.isEmpty()) {
            return new Result.Refused("Paste the secret (base32 or an otpauth:// link) or upload a QR image.");
        }
        List<ImportedEntry> entries;
        try {
            entries = SeedImports.read(inputs);
        } catch (SeedImportException e) {
            if (e.problems().size() > 1) {
                return new Result.Refused("Nothing was enrolled: " + e.problems().size() + " entries cannot be enrolled.",
                        e.problems().stream().map(p -> capital(p) + ".").toList());
            }
            return new Result.Refused("Nothing was enrolled: " + e.getMessage() + ".");
        }
        if (entries.size() > dev.mfagate.core.admin.SeedAdmin.MAX_SEEDS_PER_UPLOAD) {
            int n = entries.size();
            entries.forEach(e -> e.seed().destroy());
            return new Result.Refused("Nothing was enrolled: one enrolment takes at most "
                    + dev.mfagate.core.admin.SeedAdmin.MAX_SEEDS_PER_UPLOAD + " seeds, and this one holds " + n
                    + "; export them in several parts.");
        }
        if (entries.size() > 1) {
            return hold(session, entries, now);
        }
        try {
            String label = form.label() == null ? "" : form.label().strip();
            List<String> problems = check(session, entries, List.of(label));
            if (!problems.isEmpty()) {
                return new Result.Refused(capital(problems.getFirst().replaceFirst("^Entry 1 \\([^)]*\\): ", "")));
            }
            return store(session, entries, List.of(Label.parse(label)), now, meta);
        } finally {
            entries.forEach(e -> e.seed().destroy());
        }
    }

    /** Holds several read entries for their labels; a session holds one import at a time. */
    private Result hold(Session session, List<ImportedEntry> entries, Instant now) {
        purge(now);
        pending.entrySet().removeIf(e -> {
            boolean mine = e.getValue().sessionRef().equals(session.ref());
            if (mine) {
                e.getValue().destroy();
            }
            return mine;
        });
        if (pending.size() >= MAX_PENDING) {
            entries.forEach(e -> e.seed().destroy());
            return new Result.Refused("Too many imports are waiting for their labels on this gateway; try again in a few minutes.");
        }
        byte[] raw = new byte[18];
        RANDOM.nextBytes(raw);
        String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        pending.put(id, new Held(session.ref(), List.copyOf(entries), now.plus(PENDING_FOR)));
        List<String> suggested = suggest(session, entries);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            rows.add(new Row(entries.get(i).index(), name(entries.get(i)), suggested.get(i), null));
        }
        return new Result.Pending(id, rows, null);
    }

    /**
     * Stores the import held under {@code id} with one label per entry, in entry order, all or
     * nothing; a refusal keeps the import so the labels can be corrected.
     */
    Result enrolPending(Session session, String id, List<String> labels, Instant now, RequestMeta meta) {
        purge(now);
        Held held = id == null ? null : pending.get(id);
        if (held == null || !held.sessionRef().equals(session.ref())) {
            return new Result.Refused("Nothing was enrolled: the read seeds are no longer held (they are kept "
                    + PENDING_FOR.toMinutes() + " minutes, for the session that sent them); send them again.");
        }
        List<ImportedEntry> entries = held.entries();
        List<String> given = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            given.add(i < labels.size() && labels.get(i) != null ? labels.get(i).strip() : "");
        }
        List<String> problems = check(session, entries, given);
        if (problems.isEmpty()) {
            List<Label> parsed = given.stream().map(Label::parse).toList();
            synchronized (held) {
                if (pending.remove(id, held)) {
                    try {
                        Result result = store(session, entries, parsed, now, meta);
                        if (result instanceof Result.Refused) {
                            pending.put(id, held);
                        } else {
                            held.destroy();
                        }
                        return result;
                    } catch (RuntimeException e) {
                        held.destroy();
                        throw e;
                    }
                }
            }
            return new Result.Refused("Nothing was enrolled: these seeds were sent twice at once; see the seed list.");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String prefix = "Entry " + entries.get(i).index() + " ";
            String error = problems.stream().filter(p -> p.startsWith(prefix)).findFirst().orElse(null);
            rows.add(new Row(entries.get(i).index(), name(entries.get(i)), echoable(given.get(i)), error));
        }
        return new Result.Pending(id, rows, "Nothing was enrolled: " + problems.size() + " of " + entries.size()
                + " entries cannot be enrolled as labelled; correct them and enrol again.");
    }

    /** Drops the imports whose time is up, destroying their seeds. */
    private void purge(Instant now) {
        pending.entrySet().removeIf(e -> {
            boolean old = !now.isBefore(e.getValue().until());
            if (old) {
                e.getValue().destroy();
            }
            return old;
        });
    }

    /** One plain sentence per failing entry, in entry order; empty when every entry may be stored so. */
    private List<String> check(Session session, List<ImportedEntry> entries, List<String> labels) {
        List<RoleBinding> bindings = bindings(session);
        List<String> problems = new ArrayList<>();
        java.util.Map<Label, Integer> firstWith = new java.util.HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            ImportedEntry entry = entries.get(i);
            String who = "Entry " + entry.index() + " (" + name(entry) + "): ";
            Label label;
            try {
                label = Label.parse(labels.get(i));
            } catch (IllegalArgumentException e) {
                problems.add(who + "the label must be client-service, such as acme-aws: lower-case letters, digits,"
                        + " dots, underscores and dashes.");
                continue;
            }
            try {
                Label.requireNotSecretShaped(label);
            } catch (IllegalArgumentException e) {
                problems.add(who + "the label looks like a secret (16 or more letters and digits in a row); separate its"
                        + " words with dashes.");
                continue;
            }
            Integer earlier = firstWith.putIfAbsent(label, entry.index());
            if (earlier != null) {
                problems.add(who + "the label " + label.value() + " is given to entry " + earlier + " too.");
            } else if (AdminAuthorizer.decide(bindings, AdminAuthorizer.Resource.SEEDS, AdminAuthorizer.Action.CHANGE,
                    TenantId.of(label)) != AdminAuthorizer.Decision.ALLOW) {
                problems.add(who + "you may not add seeds for " + label.value() + ": only an admin of its tenant may.");
            } else if (seeds.info(label).isPresent()) {
                problems.add(who + "a seed with the label " + label.value() + " exists already.");
            }
        }
        return problems;
    }

    /** Stores every entry in one transaction, audits each, and gives their first codes. */
    private Result store(Session session, List<ImportedEntry> entries, List<Label> labels, Instant now, RequestMeta meta) {
        List<java.util.Map.Entry<Label, dev.mfagate.core.totp.TotpSeed>> batch = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            batch.add(java.util.Map.entry(labels.get(i), entries.get(i).seed()));
        }
        try {
            seeds.addAll(batch, now);
        } catch (DuplicateLabelException e) {
            return new Result.Refused("Nothing was enrolled: a seed with one of these labels was added meanwhile;"
                    + " check the labels and enrol again.");
        } catch (dev.mfagate.core.store.TenantSeedLimitException e) {
            return new Result.Refused("Nothing was enrolled: " + e.getMessage() + "; remove seeds it no longer needs first.");
        } catch (IllegalArgumentException e) {
            return new Result.Refused("Nothing was enrolled: " + e.getMessage());
        }
        List<Done> done = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Label label = labels.get(i);
            audit.commit(AuditEvent.builder(now, Outcome.ADMIN).requestId(meta.requestId()).route(meta.route())
                    .remoteAddress(meta.remoteAddress()).instanceId(instanceId).tokenId("console").label(label.value())
                    .reason("seed-add")
                    .detail("by person:" + session.person().value() + " session " + session.ref() + "; first code shown"
                            + (entries.size() > 1 ? "; entry " + (i + 1) + " of " + entries.size() + " of one import" : ""))
                    .build());
            done.add(new Done(label, TotpGenerator.window(entries.get(i).seed(), now, NEXT_CODE_THRESHOLD)));
        }
        return new Result.Enrolled(done);
    }

    /** How the page names an entry: issuer and account as the export gives them, never the secret. */
    static String name(ImportedEntry entry) {
        String key = entry.mappingKey();
        return key.isEmpty() ? "no name" : key;
    }

    /**
     * The labels offered for editing: the person's first tenant, a dash, and the issuer (else the
     * account) in lower case with other characters as dashes; a repeat gets {@code -2}, {@code -3}.
     */
    List<String> suggest(Session session, List<ImportedEntry> entries) {
        List<String> tenantIds = adminTenants(session);
        String tenant = tenantIds.isEmpty() ? "" : tenantIds.getFirst();
        List<String> out = new ArrayList<>();
        java.util.Set<String> used = new java.util.HashSet<>();
        for (ImportedEntry entry : entries) {
            String base = entry.issuer().or(entry::accountName).orElse("entry-" + entry.index())
                    .toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._]+", "-").replaceAll("^-+|-+$", "");
            if (base.isEmpty()) {
                base = "entry-" + entry.index();
            }
            if (base.length() > 40) {
                base = base.substring(0, 40).replaceAll("-+$", "");
            }
            String label = tenant + "-" + base;
            for (int n = 2; !used.add(label); n++) {
                label = tenant + "-" + base + "-" + n;
            }
            out.add(label);
        }
        return out;
    }


    private static String capital(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
