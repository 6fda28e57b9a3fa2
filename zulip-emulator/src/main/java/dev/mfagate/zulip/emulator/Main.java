package dev.mfagate.zulip.emulator;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The local demo: a Zulip emulator with a bot account, a person called Alice (member of channel
 * {@code client} and of group {@code mfa-users}), and a console standing in for Alice's Zulip client.
 *
 * <pre>
 * java -jar zulip-emulator/target/mfagate-zulip-emulator-all.jar [--port 9991] [--api-key KEY]
 *      [--bot-email EMAIL] [--validate [--spec PATH]]
 * </pre>
 *
 * <p>Prints the {@code zuliprc} the bot should use, then reads standard input: each line is sent as a
 * direct message from Alice to the bot; {@code /channel NAME TEXT} sends TEXT to channel NAME (topic
 * {@code demo}); {@code /quit} stops. Every message the bot sends, edits or deletes, and every reaction it
 * adds, is printed. When standard input ends, the server keeps running until the process is stopped.
 */
public final class Main {
    static final String BOT_NAME = "MFA Bot";
    static final String DEMO_TOPIC = "demo";

    private Main() {}

    public static void main(String[] args) throws Exception {
        // Before any logger exists: the jar's own logging configuration, without a logback.xml that would
        // clash with the configuration of projects that use the emulator as a library.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "mfagate-zulip-emulator-logback.xml");
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.println(Options.USAGE);
            return;
        }
        if (options.specPath != null) {
            System.setProperty(ZulipSpecValidator.SPEC_PROPERTY, options.specPath);
        }
        ZulipEmulator emulator;
        try {
            emulator = ZulipEmulator.builder().port(options.port).validateAgainstSpec(options.validate).build();
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "zulip-emulator-shutdown"));
        Demo demo = Demo.start(emulator, options, System.out);
        demo.readCommands(System.in);
        if (!demo.quit) {
            System.out.println("# standard input closed; the emulator keeps running until this process is stopped");
            new CountDownLatch(1).await();
        }
        emulator.close();
    }

    /** Command-line options. */
    static final class Options {
        static final String USAGE = "usage: java -jar mfagate-zulip-emulator-all.jar [--port N] [--api-key KEY] "
                + "[--bot-email EMAIL] [--validate [--spec PATH]]\n"
                + "  --port N          port on 127.0.0.1 (default 9991; 0 for any free port)\n"
                + "  --api-key KEY     the bot's API key, 32 letters and digits (default: random)\n"
                + "  --bot-email EMAIL the bot's email (default mfa-bot@zulip.example.com)\n"
                + "  --validate        check every exchange against Zulip's OpenAPI description and print violations\n"
                + "  --spec PATH       where zulip.yaml is (default: shared/zulip-api/zulip.yaml in an enclosing directory)";

        int port = 9991;
        String apiKey;
        String botEmail = "mfa-bot@zulip.example.com";
        boolean validate;
        String specPath;
        boolean help;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--port" -> o.port = parsePort(value(args, ++i, "--port"));
                    case "--api-key" -> {
                        o.apiKey = value(args, ++i, "--api-key");
                        if (!Directory.hasApiKeyFormat(o.apiKey)) {
                            throw new IllegalArgumentException("--api-key must be 32 ASCII letters and digits, as Zulip's keys are");
                        }
                    }
                    case "--bot-email" -> o.botEmail = value(args, ++i, "--bot-email");
                    case "--validate" -> o.validate = true;
                    case "--spec" -> o.specPath = value(args, ++i, "--spec");
                    case "--help", "-h" -> o.help = true;
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
            return o;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static int parsePort(String text) {
            if (!text.matches("[0-9]{1,5}") || Integer.parseInt(text) > 65535) {
                throw new IllegalArgumentException("--port '" + text + "' must be a number from 0 to 65535");
            }
            return Integer.parseInt(text);
        }
    }

    /** The demo organisation and the console that plays Alice. */
    static final class Demo {
        final ZulipEmulator emulator;
        final PrintStream out;
        final int bot;
        final int alice;
        volatile boolean quit;
        private final Map<Integer, String> printed = new HashMap<>();
        private final Map<Integer, String> printedReactions = new HashMap<>();
        private Thread watcher;

        private Demo(ZulipEmulator emulator, PrintStream out, int bot, int alice) {
            this.emulator = emulator;
            this.out = out;
            this.bot = bot;
            this.alice = alice;
        }

        static Demo start(ZulipEmulator emulator, Options options, PrintStream out) {
            int bot = emulator.addUser(BOT_NAME, options.botEmail, true);
            if (options.apiKey != null) {
                emulator.setApiKey(bot, options.apiKey);
            }
            int alice = emulator.addUser("Alice", "alice@zulip.example.com", false);
            emulator.addChannel("client", "Channel of the client 'client'", false);
            emulator.subscribe(alice, "client");
            emulator.subscribe(bot, "client");
            int group = emulator.addUserGroup("mfa-users", "People who may ask the bot for codes");
            emulator.addGroupMembers(group, List.of(alice));
            emulator.start();
            Demo demo = new Demo(emulator, out, bot, alice);
            out.println("# Zulip emulator on " + emulator.baseUrl() + " (API under " + emulator.apiUrl() + ")");
            out.println("# users: " + BOT_NAME + " (bot, id " + bot + "), Alice (id " + alice + ", channel #client, group mfa-users id "
                    + group + ")");
            out.println("# zuliprc for the bot:");
            out.println("[api]");
            out.println("email=" + emulator.email(bot));
            out.println("key=" + emulator.apiKey(bot));
            out.println("site=" + emulator.baseUrl());
            out.println("# type a line to send it to the bot as Alice; /channel NAME TEXT posts to a channel; /quit stops");
            out.flush();
            demo.watch();
            return demo;
        }

        void readCommands(InputStream in) throws Exception {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                if (line.strip().equals("/quit")) {
                    quit = true;
                    break;
                }
                try {
                    if (line.startsWith("/channel ")) {
                        String[] parts = line.substring("/channel ".length()).strip().split("\\s+", 2);
                        if (parts.length < 2) {
                            out.println("# usage: /channel NAME TEXT");
                            continue;
                        }
                        emulator.sendChannelMessage(alice, parts[0], DEMO_TOPIC, parts[1]);
                        out.println("# Alice -> #" + parts[0] + " > " + DEMO_TOPIC + ": " + parts[1]);
                    } else {
                        emulator.sendDirectMessage(alice, List.of(bot), line);
                        out.println("# Alice -> " + BOT_NAME + ": " + line);
                    }
                } catch (IllegalArgumentException e) {
                    out.println("# not sent: " + e.getMessage());
                }
                out.flush();
            }
        }

        /** Prints what the bot does as it happens, by comparing snapshots (the emulator has no listener API). */
        private void watch() {
            watcher = Thread.ofPlatform().daemon().name("zulip-emulator-demo-watcher").start(() -> {
                List<SpecViolation> reported = List.of();
                while (!Thread.currentThread().isInterrupted()) {
                    emulator.messages().forEach(this::report);
                    List<SpecViolation> violations = emulator.validationReport();
                    if (violations.size() > reported.size()) {
                        violations.subList(reported.size(), violations.size()).forEach(v -> out.println("# SPEC VIOLATION " + v));
                        reported = violations;
                    }
                    out.flush();
                    try {
                        Thread.sleep(Duration.ofMillis(100));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        private void report(EmulatedMessage m) {
            String reactions = m.reactions().stream().filter(r -> r.userId() == bot).map(r -> ":" + r.emojiName() + ":")
                    .collect(Collectors.joining(" "));
            String reactionsBefore = printedReactions.put(m.id(), reactions);
            if (!reactions.equals(reactionsBefore == null ? "" : reactionsBefore)) {
                out.println("[bot reactions on #" + m.id() + "] " + (reactions.isEmpty() ? "(none)" : reactions));
            }
            if (m.senderId() != bot) {
                return;
            }
            String state = m.content() + "|" + m.deleted() + "|" + m.previousContents().size();
            String before = printed.put(m.id(), state);
            if (state.equals(before)) {
                return;
            }
            String to = m.kind() == EmulatedMessage.Kind.DIRECT
                    ? m.recipientIds().stream().map(id -> id == alice ? "Alice" : "user " + id).collect(Collectors.joining(", "))
                    : "#" + m.channel() + " > " + m.topic();
            if (before == null) {
                out.println("[bot -> " + to + "] #" + m.id() + ": " + m.content());
            } else if (m.deleted()) {
                out.println("[bot deleted #" + m.id() + "]");
            } else {
                out.println("[bot edited #" + m.id() + " -> " + to + "]: " + m.content());
            }
        }

        void stop() {
            if (watcher != null) {
                watcher.interrupt();
            }
        }
    }
}
