package io.smcj.tools;

import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Entry point of the {@code ./smcj} launcher for the Java subcommands. */
public final class Main {
    /** Subcommands listed by {@code ./smcj help}; each maps to a {@link Command} class by name. */
    static final List<String> KNOWN = List.of("demo", "deterministic", "decode", "handshake", "ss", "stats", "trace", "syn-check");

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            out.println("usage: ./smcj <command> [args]   (test, vm, bench are run by the launcher itself)");
            for (String name : KNOWN) {
                Command c = find(name);
                if (c != null) {
                    out.printf("  %-10s %s%n", name, c.summary());
                }
            }
            return 0;
        }
        Command c = find(args[0]);
        if (c == null) {
            err.println("smcj: unknown command '" + args[0] + "' (try ./smcj help)");
            return 2;
        }
        try {
            return c.run(Arrays.copyOfRange(args, 1, args.length), in, out, err);
        } catch (Exception e) {
            err.println("smcj " + args[0] + ": " + e);
            return 1;
        }
    }

    /** {@code syn-check} -> {@code SynCheckCommand}; null when no such class exists. */
    static Command find(String name) {
        StringBuilder cls = new StringBuilder("io.smcj.tools.");
        for (String part : name.split("-")) {
            if (!part.isEmpty()) {
                cls.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
            }
        }
        cls.append("Command");
        try {
            return (Command) Class.forName(cls.toString()).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return null;
        } catch (InstantiationException | IllegalAccessException | NoSuchMethodException
                | InvocationTargetException e) {
            throw new IllegalStateException("cannot create " + cls, e);
        }
    }
}
