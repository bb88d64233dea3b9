package io.smcj.protocol;

/**
 * A decoded wire message that can list every field by its protocol name. {@code ./smcj decode}
 * prints this tree as text or JSON, and the tshark cross-check compares it with Wireshark's view.
 */
public interface Described {
    /** Message name as a reader of the kernel source would say it, e.g. "CLC Proposal", "LLC CONFIRM LINK". */
    String messageName();

    /** Every field, in wire order, with protocol names (snake_case like the kernel's struct members). */
    Fields describe();
}
