package io.smcj.tools;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ./smcj stats}: the SMC statistics (like {@code smcd stats}) of the last
 * {@code ./smcj demo} run, of a given state file, or {@code --live} of a small live scenario.
 */
public final class StatsCommand implements Command {
    @Override
    public String summary() {
        return "SMC statistics like the kernel's (last demo's state, a state file, or --live)";
    }

    @Override
    public int run(String[] args, InputStream in, PrintStream out, PrintStream err) throws Exception {
        if (args.length > 0 && args[0].equals("--live")) {
            try (LiveScenario live = LiveScenario.start()) {
                out.println("client statistics:");
                out.print(live.client.stats().snapshot().toText().indent(2));
                out.println("server statistics:");
                out.print(live.server.stats().snapshot().toText().indent(2));
            }
            return 0;
        }
        Path file = args.length > 0 ? Path.of(args[0]) : DemoCommand.STATE_FILE;
        List<String> lines = DemoState.section(file, "stats");
        if (lines == null) {
            err.println("stats: no state file " + file + " (run ./smcj demo first, or use --live)");
            return 1;
        }
        lines.forEach(out::println);
        return 0;
    }
}
