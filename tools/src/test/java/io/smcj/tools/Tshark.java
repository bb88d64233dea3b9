package io.smcj.tools;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Wireshark's tshark on a capture and returns what its SMC dissector ({@code packet-smc.c})
 * decoded: one {@link Pdu} per "smc" protocol layer, each with its leaf fields and their offsets
 * relative to the message start (PDML {@code pos} minus the layer's {@code pos}).
 */
final class Tshark {
    private Tshark() {
    }

    /** One tshark field: name, offset in the SMC message, size, displayed value, and whether it is a bitfield. */
    record Field(String name, int offset, int size, String show, String value, boolean bitfield) {
    }

    /** One SMC layer tshark decoded in frame {@code frame}. */
    record Pdu(int frame, int size, List<Field> fields) {
        Field first(String name) {
            return fields.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
        }
    }

    static boolean available() {
        return io.smcj.protocol.pcap.Tshark.available();
    }

    /** "4.0.17" from {@code tshark --version}, or "" when it cannot be read. */
    static String version() {
        try {
            Process p = new ProcessBuilder("tshark", "--version").redirectErrorStream(true).start();
            String first = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .lines().filter(l -> l.startsWith("TShark")).findFirst().orElse("");
            p.waitFor(30, TimeUnit.SECONDS);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+\\.\\d+\\.\\d+)").matcher(first);
            return m.find() ? m.group(1) : "";
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }

    static String skip(String why) {
        return io.smcj.protocol.pcap.Tshark.skip(why);
    }

    static byte[] run(Path pcap, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString()));
        cmd.addAll(List.of(args));
        Path errFile = Files.createTempFile("tshark", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("tshark did not finish: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new IOException("tshark exit " + p.exitValue() + " for " + cmd + ": " + Files.readString(errFile));
            }
            return out;
        } finally {
            Files.deleteIfExists(errFile);
        }
    }

    /** Every SMC layer of the capture, in frame order. */
    static List<Pdu> smcPdus(Path pcap) throws Exception {
        byte[] xml = run(pcap, "-Y", "smc", "-T", "pdml");
        var dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        dbf.setExpandEntityReferences(false);
        var doc = dbf.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
        List<Pdu> out = new ArrayList<>();
        NodeList packets = doc.getElementsByTagName("packet");
        for (int i = 0; i < packets.getLength(); i++) {
            Element packet = (Element) packets.item(i);
            int frame = -1;
            for (Element proto : children(packet, "proto")) {
                if (proto.getAttribute("name").equals("frame")) {
                    for (Element f : children(proto, "field")) {
                        if (f.getAttribute("name").equals("frame.number")) {
                            frame = Integer.parseInt(f.getAttribute("show"));
                        }
                    }
                }
                if (proto.getAttribute("name").equals("smc")) {
                    int base = Integer.parseInt(proto.getAttribute("pos"));
                    List<Field> fields = new ArrayList<>();
                    collect(proto, base, fields);
                    out.add(new Pdu(frame, Integer.parseInt(proto.getAttribute("size")), fields));
                }
            }
        }
        return out;
    }

    /** Leaf fields in document order (a field with children is represented by its children). */
    private static void collect(Element parent, int base, List<Field> out) {
        for (Element f : children(parent, "field")) {
            List<Element> kids = children(f, "field");
            if (!kids.isEmpty()) {
                collect(f, base, out);
                continue;
            }
            String name = f.getAttribute("name");
            if (name.isEmpty() || name.startsWith("_ws.") || !name.startsWith("smc.")) {
                continue;
            }
            out.add(new Field(name, Integer.parseInt(f.getAttribute("pos")) - base,
                    Integer.parseInt(f.getAttribute("size")), f.getAttribute("show"), f.getAttribute("value"),
                    f.hasAttribute("unmaskedvalue")));
        }
    }

    private static List<Element> children(Element e, String tag) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(tag)) {
                out.add(c);
            }
        }
        return out;
    }
}
