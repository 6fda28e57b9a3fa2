package dev.mfagate.core.seed;

import static dev.mfagate.core.seed.Rejections.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mfagate.core.Label;
import dev.mfagate.core.SecretBytes;
import dev.mfagate.core.seed.SeedImportException.Kind;
import dev.mfagate.core.totp.TotpParameters;
import dev.mfagate.core.totp.TotpSeed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelMappingTest {

    private static ImportedEntry entry(int index, String issuer, String account) {
        TotpSeed seed = TotpSeed.of(SecretBytes.copyOf(new byte[20]), TotpParameters.DEFAULT);
        return new ImportedEntry(index, "export.png", Optional.ofNullable(issuer), Optional.ofNullable(account), seed);
    }

    private static final List<ImportedEntry> BATCH = List.of(
            entry(1, "GitHub", "alice@example.com"),
            entry(2, "AWS", "root"),
            entry(3, null, "plain"));

    private static List<String> labels(List<LabeledSeed> seeds) {
        return seeds.stream().map(s -> s.label().value()).toList();
    }

    @Test
    void assign_labelFlagsInEntryOrder_labelsEachEntry() throws Exception {
        List<LabeledSeed> seeds = LabelMapping.ofLabels(List.of("acme-github", "ACME-aws-prod", "acme-plain")).assign(BATCH);

        assertThat(labels(seeds)).containsExactly("acme-github", "acme-aws-prod", "acme-plain");
        assertThat(seeds.get(1).seed()).isSameAs(BATCH.get(1).seed());
    }

    @Test
    void assign_fewerFlagsThanEntries_isBadMapping() throws Exception {
        LabelMapping mapping = LabelMapping.ofLabels(List.of("acme-github", "acme-aws"));

        assertRejected(() -> mapping.assign(BATCH), Kind.BAD_MAPPING,
                "entry 3 (export.png, 'plain') has no label: 2 --label values for 3 entries");
    }

    @Test
    void assign_moreFlagsThanEntries_isBadMapping() throws Exception {
        LabelMapping mapping = LabelMapping.ofLabels(List.of("acme-a", "acme-b", "acme-c", "acme-d"));

        assertRejected(() -> mapping.assign(BATCH), Kind.BAD_MAPPING, "--label 4 is unused: 4 --label values for 3 entries");
    }

    @Test
    void ofLabels_invalidLabel_isBadMapping() {
        assertRejected(() -> LabelMapping.ofLabels(List.of("acme-ok", "no_dash")), Kind.BAD_MAPPING,
                "--label 2: Invalid label 'no_dash': must be <client>-<service>");
    }

    @Test
    void assign_sameFlagTwice_isDuplicateLabel() throws Exception {
        LabelMapping mapping = LabelMapping.ofLabels(List.of("acme-a", "acme-b", "ACME-A"));

        assertRejected(() -> mapping.assign(BATCH), Kind.DUPLICATE_LABEL, "entries 1 and 3 would both get label acme-a");
    }

    @Test
    void assign_mappingFileByKeyAndIndex_labelsEachEntry() throws Exception {
        LabelMapping mapping = LabelMapping.parse("""
                \uFEFF# labels for the March export
                github:ALICE@example.com = acme-github   # keys ignore case
                #2=acme-aws-prod
                  plain =  acme-plain
                # 3 = ignored, a comment because of the space
                """);

        assertThat(labels(mapping.assign(BATCH))).containsExactly("acme-github", "acme-aws-prod", "acme-plain");
    }

    @Test
    void assign_entryWithoutLine_isBadMapping() throws Exception {
        LabelMapping mapping = LabelMapping.parse("GitHub:alice@example.com = acme-github\n#3 = acme-plain\n");

        assertRejected(() -> mapping.assign(BATCH), Kind.BAD_MAPPING,
                "entry 2 (export.png, 'AWS:root') has no label; add 'ISSUER:ACCOUNT = label' to the mapping");
    }

    @Test
    void assign_lineMatchingNoEntry_isBadMapping() throws Exception {
        LabelMapping mapping = LabelMapping.parse("#1 = acme-a\n#2 = acme-b\n#3 = acme-c\nGitLab:x = acme-gitlab\n");

        assertRejected(() -> mapping.assign(BATCH), Kind.BAD_MAPPING, "mapping line 4 (acme-gitlab) matches no entry of the batch");
    }

    @Test
    void assign_indexBeyondBatch_isBadMapping() throws Exception {
        LabelMapping mapping = LabelMapping.parse("#1 = acme-a\n#2 = acme-b\n#3 = acme-c\n#4 = acme-d\n");

        assertRejected(() -> mapping.assign(BATCH), Kind.BAD_MAPPING, "mapping line 4 (acme-d) matches no entry");
    }

    @Test
    void assign_entryMatchedByTwoLines_isBadMapping() throws Exception {
        LabelMapping mapping = LabelMapping.parse("#1 = acme-a\nGitHub:alice@example.com = acme-b\n#2 = acme-c\n#3 = acme-d\n");

        assertRejected(() -> mapping.assign(BATCH), Kind.BAD_MAPPING, "is labelled by both mapping line 1 and mapping line 2");
    }

    @Test
    void assign_keyMatchingTwoEntries_isBadMapping() throws Exception {
        List<ImportedEntry> twins = List.of(entry(1, "AWS", "root"), entry(2, "AWS", "root"));
        LabelMapping mapping = LabelMapping.parse("AWS:root = acme-aws\n");

        assertRejected(() -> mapping.assign(twins), Kind.BAD_MAPPING, "mapping line 1 matches entries 1 and 2");
    }

    @Test
    void assign_twoLinesWithSameLabel_isDuplicateLabel() throws Exception {
        LabelMapping mapping = LabelMapping.parse("#1 = acme-a\n#2 = acme-b\n#3 = ACME-a\n");

        assertRejected(() -> mapping.assign(BATCH), Kind.DUPLICATE_LABEL, "entries 1 and 3 would both get label acme-a");
    }

    @Test
    void parse_lineWithoutEquals_isBadMapping() {
        assertRejected(() -> LabelMapping.parse("# ok\nGitHub:alice acme-github\n"), Kind.BAD_MAPPING,
                "mapping line 2: expected 'ISSUER:ACCOUNT = label' or '#N = label'");
    }

    @Test
    void parse_invalidLabel_isBadMapping() {
        assertRejected(() -> LabelMapping.parse("#1 = Acme-\n"), Kind.BAD_MAPPING, "mapping line 1: Invalid label 'Acme-'");
    }

    @Test
    void parse_indexZero_isBadMapping() {
        assertRejected(() -> LabelMapping.parse("#0 = acme-a\n"), Kind.BAD_MAPPING, "mapping line 1: entry index must be from 1");
    }

    @Test
    void read_mappingFile_namesFileInErrors(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("labels.txt"), "#1 = acme-a\n#2 = acme-b\n#3 = acme-c\n");
        Path bad = Files.writeString(dir.resolve("bad.txt"), "#1 = acme-a\nnonsense\n");

        assertThat(LabelMapping.read(good).assign(BATCH)).extracting(LabeledSeed::label).containsExactly(
                Label.parse("acme-a"), Label.parse("acme-b"), Label.parse("acme-c"));
        assertRejected(() -> LabelMapping.read(bad), Kind.BAD_MAPPING, bad + ": mapping line 2");
    }
}
