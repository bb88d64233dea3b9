package io.smcj.tools;

import io.smcj.engine.ConnectionInfo;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ./smcj ss}: the connection listing (like {@code smcss}) of the last {@code ./smcj demo}
 * run (read from its state file, or a file given as argument), or {@code --live}: a small live
 * scenario (two SMC-R connections and one fallback) listed while it runs.
 */
public final class SsCommand implements Command {
    @Override
    public String summary() {
        return "connection listing like smcss (last demo's state, a state file, or --live)";
    }

    @Override
    public int run(String[] args, InputStream in, PrintStream out, PrintStream err) throws Exception {
        if (args.length > 0 && args[0].equals("--live")) {
            try (LiveScenario live = LiveScenario.start()) {
                out.println(ConnectionInfo.HEADER);
                for (ConnectionInfo ci : live.connections()) {
                    out.println(ci.toLine());
                }
            }
            return 0;
        }
        Path file = args.length > 0 ? Path.of(args[0]) : DemoCommand.STATE_FILE;
        List<String> lines = DemoState.section(file, "connections");
        if (lines == null) {
            err.println("ss: no state file " + file + " (run ./smcj demo first, or use --live)");
            return 1;
        }
        lines.forEach(out::println);
        return 0;
    }
}
