package io.smcj.tools;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * One {@code ./smcj} subcommand. {@link Main} finds the implementation by name: subcommand
 * {@code syn-check} is class {@code io.smcj.tools.SynCheckCommand}, {@code decode} is
 * {@code DecodeCommand}, and so on, so a new subcommand is a new class and nothing else.
 */
public interface Command {
    /** One line for {@code ./smcj help}. */
    String summary();

    /** Runs the command; the return value is the process exit code. */
    int run(String[] args, InputStream in, PrintStream out, PrintStream err) throws Exception;
}
