package io.smcj.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the sections of the state file {@code ./smcj demo} leaves behind. */
final class DemoState {
    private DemoState() {
    }

    /** The lines of section {@code name} ("connections" or "stats"), or null when there is no file. */
    static List<String> section(Path file, String name) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String l : Files.readAllLines(file)) {
            if (l.startsWith("[") && l.endsWith("]")) {
                in = l.equals("[" + name + "]");
                continue;
            }
            if (in) {
                out.add(l);
            }
        }
        return out;
    }
}
