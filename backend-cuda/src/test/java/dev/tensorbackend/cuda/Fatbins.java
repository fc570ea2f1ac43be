package dev.tensorbackend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the table of contents of an nvcc fatbin, so tests can check what the build put in it
 * without cuobjdump: a 16-byte header (magic 0xBA55ED50, version, header size, size of the
 * entries), then entries, each with a kind (1 PTX, 2 ELF/SASS), its header and payload sizes and
 * the architecture (XY of sm_XY / compute_XY) at byte 28 of the entry.
 */
final class Fatbins {
    static final int MAGIC = 0xBA55ED50;

    private Fatbins() {
    }

    /** "sm_80" for each SASS entry and "compute_75" for each PTX entry, in file order. */
    static List<String> entries(byte[] fatbin) {
        ByteBuffer b = ByteBuffer.wrap(fatbin).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != MAGIC) {
            throw new IllegalArgumentException("not a fatbin: magic " + Integer.toHexString(b.getInt(0)));
        }
        int headerSize = Short.toUnsignedInt(b.getShort(6));
        long end = headerSize + b.getLong(8);
        List<String> entries = new ArrayList<>();
        for (long off = headerSize; off < end; ) {
            int at = Math.toIntExact(off);
            int kind = Short.toUnsignedInt(b.getShort(at));
            long entryHeader = Integer.toUnsignedLong(b.getInt(at + 4));
            long payload = b.getLong(at + 8);
            int arch = b.getInt(at + 28);
            entries.add((kind == 2 ? "sm_" : kind == 1 ? "compute_" : "kind" + kind + "_") + arch);
            off += entryHeader + payload;
        }
        return entries;
    }

    /** Whether the name occurs in the bytes (SASS entries are not compressed: their symbol tables hold the kernel names). */
    static boolean mentions(byte[] fatbin, String name) {
        return new String(fatbin, StandardCharsets.ISO_8859_1).contains(name);
    }
}
