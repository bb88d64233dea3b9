package io.smcj.tools;

import io.smcj.protocol.DeclineCode;
import io.smcj.protocol.Described;
import io.smcj.protocol.Fields;
import io.smcj.protocol.Hex;
import io.smcj.protocol.ProtocolException;
import io.smcj.protocol.pcap.SmcCapture;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./smcj decode [--json] [HEX...]}: decodes one CLC, LLC or CDC message given as hex (in the
 * arguments or on stdin; spaces, 0x prefixes and hexdump/xxd/tcpdump offsets are tolerated) and
 * prints every field by its protocol name. {@code --pcap FILE} decodes every SMC message of a
 * capture instead. Exit 0 when everything decoded, 1 when bytes were rejected (the reason, the
 * offending offset and the decline code the peer would get are printed), 2 for usage errors.
 */
public final class DecodeCommand implements Command {
    static final String USAGE = """
            usage: ./smcj decode [--json] HEX...        one message from the arguments
                   ./smcj decode [--json] < FILE        one message as hex on stdin
                   ./smcj decode [--json] --pcap FILE   every SMC message of a capture
            Accepts CLC (e2 d4 c3 d9 ...), LLC (first byte 0x01-0x09, 0x21-0x29) and CDC (0xfe).""";

    /** Upper bound for hex text read from stdin. */
    static final int MAX_STDIN = 1 << 20;

    @Override
    public String summary() {
        return "decode a CLC/LLC/CDC message from hex (or --pcap FILE); --json for scripts";
    }

    @Override
    public int run(String[] args, InputStream in, PrintStream out, PrintStream err) throws Exception {
        boolean json = false;
        Path pcap = null;
        List<String> hex = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--json" -> json = true;
                case "--pcap" -> {
                    if (i + 1 >= args.length) {
                        err.println(USAGE);
                        return 2;
                    }
                    pcap = Path.of(args[++i]);
                }
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                default -> hex.add(a);
            }
        }
        if (pcap != null) {
            if (!hex.isEmpty()) {
                err.println(USAGE);
                return 2;
            }
            return decodePcap(pcap, json, out, err);
        }
        String text;
        if (hex.isEmpty()) {
            // a message is at most 8 KiB (LLC v2); as a hex dump that is well below this bound
            byte[] raw = in.readNBytes(MAX_STDIN + 1);
            if (raw.length > MAX_STDIN) {
                err.println("decode: more than " + MAX_STDIN + " bytes on stdin; one message is expected (or use --pcap)");
                return 2;
            }
            text = new String(raw, StandardCharsets.UTF_8);
        } else {
            text = String.join(" ", hex);
        }
        byte[] bytes;
        try {
            bytes = Hex.parseLenient(text);
        } catch (IllegalArgumentException e) {
            return reject(json, out, err, "input is not hex: " + e.getMessage(), -1, null);
        }
        if (bytes.length == 0) {
            err.println("decode: no bytes given");
            err.println(USAGE);
            return 2;
        }
        return decodeOne(bytes, json, null, out, err);
    }

    /** Decodes and prints one message; {@code header} prefixes JSON (frame info) or the text block. */
    static int decodeOne(byte[] bytes, boolean json, Fields header, PrintStream out, PrintStream err) {
        Described d;
        try {
            d = SmcMessages.decode(bytes);
        } catch (SmcMessages.NotSmcException e) {
            return reject(json, out, err, e.getMessage(), 0, null, header);
        } catch (ProtocolException e) {
            return reject(json, out, err, e.reason(), e.offset(), e.declineCode(), header);
        }
        Fields top = header == null ? new Fields() : copy(header, new Fields());
        top.add("message", d.messageName());
        top.add("bytes", bytes.length);
        if (json) {
            out.println(copy(d.describe(), top).toJson());
        } else {
            Fields body = d.describe();
            String head = header == null ? "" : headerText(header) + "  ";
            out.println(head + d.messageName() + " (" + bytes.length + " bytes)");
            out.print(indent(body.toText()));
        }
        return 0;
    }

    private static int reject(boolean json, PrintStream out, PrintStream err, String reason, int offset,
                              DeclineCode code) {
        return reject(json, out, err, reason, offset, code, null);
    }

    private static int reject(boolean json, PrintStream out, PrintStream err, String reason, int offset,
                              DeclineCode code, Fields header) {
        if (json) {
            Fields f = header == null ? new Fields() : copy(header, new Fields());
            f.add("error", reason);
            f.add("offset", offset >= 0 ? offset : null);
            if (code != null) {
                f.addHex("decline_code", Integer.toUnsignedLong(code.value()), -1,
                        code.name() + " (" + code.meaning() + ")");
            }
            out.println(f.toJson());
        } else {
            PrintStream p = header == null ? err : out;
            p.println((header == null ? "decode" : headerText(header)) + ": rejected: " + reason);
            if (offset >= 0) {
                p.println("  offset: " + offset);
            }
            if (code != null) {
                p.println("  decline code: " + DeclineCode.describe(code.value()));
            }
        }
        return 1;
    }

    private static int decodePcap(Path file, boolean json, PrintStream out, PrintStream err) throws Exception {
        if (!Files.isReadable(file)) {
            err.println("decode: cannot read " + file);
            return 2;
        }
        List<SmcCapture.Message> msgs;
        try {
            msgs = SmcCapture.messages(file);
        } catch (java.io.IOException e) {
            err.println("decode: " + file + ": " + e.getMessage());
            return 1;
        }
        int rc = 0;
        for (SmcCapture.Message m : msgs) {
            Fields h = new Fields()
                    .add("frame", m.frameNumber())
                    .add("carrier", m.carrier() == SmcCapture.Carrier.TCP_CLC ? "tcp" : "roce_send")
                    .add("src", m.src().getHostAddress() + ":" + m.srcPort())
                    .add("dst", m.dst().getHostAddress() + ":" + m.dstPort());
            rc |= decodeOne(m.bytes(), json, h, out, err);
            if (!json) {
                out.println();
            }
        }
        if (!json) {
            out.println(msgs.size() + " SMC messages in " + file.getFileName()
                    + (rc == 0 ? "" : " (some rejected, see above)"));
        }
        return rc;
    }

    private static String headerText(Fields h) {
        return "frame " + h.get("frame").value() + " " + h.get("src").value() + " -> " + h.get("dst").value();
    }

    private static Fields copy(Fields from, Fields to) {
        for (Fields.Field f : from.list()) {
            to.add(f.name(), f.value(), f.offset(), f.note());
        }
        return to;
    }

    private static String indent(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                sb.append("  ").append(line).append('\n');
            }
        }
        return sb.toString();
    }
}
