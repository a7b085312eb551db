package dev.strand.bench.heap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Says who holds the heap a server keeps per tab, from two HPROF heap dumps ({@code jcmd PID GC.heap_dump}, live
 * objects only): one before the tabs open, one once they are all open. Each object is charged to its owner: the
 * nearest object, on the shortest path from the GC roots to it, whose class is not the JDK's (a map inside a
 * Spring request is the request's). Owners are put in groups (the connection, WebFlux's exchange, the Reactor
 * operators of the response, the web session, Strand's own objects, the parked task's thread), and the
 * difference between the dumps is divided by the tabs.
 * <p>
 * Sizes are shallow sizes with compressed class pointers and references (a 12-byte header, 4-byte references,
 * 8-byte alignment), as the JVM's class histogram counts them; a parked virtual thread's stack
 * ({@code jdk.internal.vm.StackChunk}) is its fields and the words its {@code size} field gives. An object that two
 * owners hold is charged to the one nearer the roots.
 * <p>
 * Usage: {@code HeapOwners BEFORE.hprof AFTER.hprof TABS}. System properties: {@code heap.top}, the owners listed per
 * group (6); {@code heap.path}, a class name: what holds its first two objects in each dump; {@code heap.detail}, an
 * owner's class name: what is charged to it, by class.
 */
public final class HeapOwners {

    /** An owner class whose objects are listed by class ({@code heap.detail}), if any. */
    private static final @Nullable String DETAIL = System.getProperty("heap.detail");

    private HeapOwners() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: HeapOwners BEFORE.hprof AFTER.hprof TABS");
            System.exit(2);
        }
        int tabs = Integer.parseInt(args[2]);
        if (tabs <= 0) {
            throw new IllegalArgumentException("TABS must be positive, but was " + tabs);
        }
        Dump first = new Dump(Files.readAllBytes(Path.of(args[0])));
        Map<String, Long> before = first.bytesByOwner();
        Dump second = new Dump(Files.readAllBytes(Path.of(args[1])));
        Map<String, Long> after = second.bytesByOwner();
        if (DETAIL != null) {
            System.out.printf("what is charged to %s, per tab:%n", DETAIL);
            union(first.detail, second.detail).stream()
                .map((name) -> Map.entry(name, second.detail.getOrDefault(name, 0L) - first.detail.getOrDefault(name, 0L)))
                .filter((entry) -> entry.getValue() != 0)
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach((entry) -> System.out.printf("%8.0f B  %s%n", (double) entry.getValue() / tabs, entry.getKey()));
        }
        Map<String, Map<String, Long>> groups = new LinkedHashMap<>();
        for (String owner : union(before, after)) {
            long grown = after.getOrDefault(owner, 0L) - before.getOrDefault(owner, 0L);
            groups.computeIfAbsent(group(owner), (key) -> new HashMap<>()).put(owner, grown);
        }
        long total = groups.values().stream().flatMap((owners) -> owners.values().stream()).mapToLong(Long::longValue).sum();
        System.out.printf("heap per tab by owner, %d tabs: %.0f bytes in all%n",
                tabs, (double) total / tabs);
        groups.entrySet().stream()
            .sorted((a, b) -> Long.compare(sum(b.getValue()), sum(a.getValue())))
            .forEach((group) -> {
                System.out.printf("%8.0f B  %s%n", (double) sum(group.getValue()) / tabs, group.getKey());
                group.getValue().entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                    .limit(Long.getLong("heap.top", 6))
                    .filter((owner) -> owner.getValue() >= tabs * 16L)
                    .forEach((owner) -> System.out.printf("%18.0f B  %s%n", (double) owner.getValue() / tabs, owner.getKey()));
            });
    }

    private static List<String> union(Map<String, Long> a, Map<String, Long> b) {
        List<String> keys = new ArrayList<>(a.keySet());
        b.keySet().stream().filter((key) -> !a.containsKey(key)).forEach(keys::add);
        return keys;
    }

    private static long sum(Map<String, Long> owners) {
        return owners.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The group of an owner's class (or, for objects no non-JDK object holds, of their own class). */
    static String group(String owner) {
        if (owner.startsWith("java.lang.VirtualThread") || owner.startsWith("jdk.internal.vm.")
                || owner.startsWith("java.lang.ThreadLocal") || owner.startsWith("io.micrometer.context.")) {
            return "a task's virtual thread: its stack, and what it carries";
        }
        if (owner.startsWith("dev.strand.bench.")) {
            return "the benchmark's own app";
        }
        if (owner.startsWith("dev.strand.web.SseConnection")) {
            return "Strand: the stream";
        }
        if (owner.startsWith("dev.strand.")) {
            return "Strand: the view, its tasks, log and renderer";
        }
        if (owner.startsWith("org.springframework.") && owner.contains("ession")) {
            return "the web session";
        }
        if (owner.startsWith("org.springframework.")) {
            return "Spring WebFlux: the exchange, the request and the handler chain";
        }
        if (owner.startsWith("reactor.netty.") || owner.startsWith("io.netty.")) {
            return "Netty and Reactor Netty: the connection";
        }
        if (owner.startsWith("reactor.")) {
            return "Reactor: the operators of the response";
        }
        return "the rest (JDK objects no other object holds, and other libraries)";
    }

    /** One heap dump, read whole. */
    static final class Dump {

        private static final String[] PRIMITIVE_ARRAYS = { "", "", "", "", "boolean[]", "char[]", "float[]", "double[]",
                "byte[]", "short[]", "int[]", "long[]" };

        private final byte[] data;

        private int idSize;

        private final Map<Long, String> strings = new HashMap<>();

        private final Map<Long, String> classNames = new HashMap<>();

        private final Map<Long, ClassLayout> classes = new HashMap<>();

        /** Every object and class: its id, where its record starts, and its kind. */
        private long[] ids = new long[1 << 20];

        private int[] offsets = new int[1 << 20];

        private byte[] kinds = new byte[1 << 20];

        private int count;

        private final List<Long> roots = new ArrayList<>();

        private static final String STACK_CHUNK = "jdk.internal.vm.StackChunk";

        private static final byte CLASS = 0, INSTANCE = 1, OBJECT_ARRAY = 2, PRIMITIVE_ARRAY = 3;

        Dump(byte[] data) {
            this.data = data;
            read();
        }

        /** The bytes charged to the owner class {@code heap.detail}, by the class of the objects charged. */
        final Map<String, Long> detail = new HashMap<>();

        /** The shallow bytes of every reachable object, by its owner's class name. */
        Map<String, Long> bytesByOwner() {
            IdIndex index = new IdIndex(this.count);
            for (int i = 0; i < this.count; i++) {
                index.put(this.ids[i], i);
            }
            int[] parent = new int[this.count];
            Arrays.fill(parent, -2); // not reached
            int[] queue = new int[this.count];
            int head = 0;
            int tail = 0;
            for (long root : this.roots) {
                int i = index.get(root);
                if (i >= 0 && parent[i] == -2) {
                    parent[i] = -1;
                    queue[tail++] = i;
                }
            }
            List<Long> references = new ArrayList<>();
            while (head < tail) {
                int i = queue[head++];
                references.clear();
                references(i, references);
                for (long reference : references) {
                    int j = index.get(reference);
                    if (j >= 0 && parent[j] == -2) {
                        parent[j] = i;
                        queue[tail++] = j;
                    }
                }
            }
            String path = System.getProperty("heap.path");
            if (path != null) {
                printPaths(path, parent);
            }
            Map<String, Long> bytes = new HashMap<>();
            for (int i = 0; i < this.count; i++) {
                if (parent[i] == -2 || this.kinds[i] == CLASS) {
                    continue;
                }
                @Nullable String owner = null;
                for (int k = i; k >= 0 && owner == null; k = parent[k]) {
                    String name = className(k);
                    if (!isJdk(name)) {
                        owner = name;
                    }
                }
                if (owner == null) {
                    owner = className(i);
                }
                int lambda = owner.indexOf("$$Lambda");
                bytes.merge((lambda < 0) ? owner : owner.substring(0, lambda + 8), size(i), Long::sum);
                if (owner.equals(DETAIL)) {
                    this.detail.merge(className(i), size(i), Long::sum);
                }
            }
            return bytes;
        }

        /** Print the shortest path from a GC root to the first two objects of a class, the object first. */
        private void printPaths(String className, int[] parent) {
            int shown = 0;
            for (int i = 0; i < this.count && shown < 2; i++) {
                if (parent[i] != -2 && this.kinds[i] != CLASS && className(i).equals(className)) {
                    shown++;
                    System.out.println("what holds a " + className + ", from it to a GC root:");
                    for (int k = i; k >= 0; k = parent[k]) {
                        System.out.println("    " + className(k));
                    }
                }
            }
        }

        private static boolean isJdk(String name) {
            // an array is a container: whoever holds it owns it
            return name.endsWith("[]") || name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.");
        }

        private void read() {
            int at = 0;
            while (this.data[at] != 0) {
                at++;
            }
            this.idSize = u4(at + 1);
            at += 1 + 4 + 8;
            while (at < this.data.length) {
                int tag = u1(at);
                int length = u4(at + 5);
                int body = at + 9;
                at = body + length;
                switch (tag) {
                    case 0x01 -> this.strings.put(id(body),
                            new String(this.data, body + this.idSize, length - this.idSize, StandardCharsets.UTF_8));
                    case 0x02 -> this.classNames.put(id(body + 4), this.strings.get(id(body + 8 + this.idSize)).replace('/', '.'));
                    case 0x0C, 0x1C -> readHeap(body, at);
                    default -> {
                    }
                }
            }
        }

        private void readHeap(int at, int end) {
            int id = this.idSize;
            while (at < end) {
                int tag = u1(at++);
                switch (tag) {
                    case 0xFF, 0x05, 0x07 -> { // unknown, sticky class, monitor used
                        this.roots.add(id(at));
                        at += id;
                    }
                    case 0x01 -> { // JNI global
                        this.roots.add(id(at));
                        at += 2 * id;
                    }
                    case 0x02, 0x03, 0x08 -> { // JNI local, Java frame, thread object
                        this.roots.add(id(at));
                        at += id + 8;
                    }
                    case 0x04, 0x06 -> { // native stack, thread block
                        this.roots.add(id(at));
                        at += id + 4;
                    }
                    case 0x20 -> at = readClass(at);
                    case 0x21 -> {
                        add(id(at), at, INSTANCE);
                        at += 4 + 2 * id + 4 + u4(at + 4 + 2 * id);
                    }
                    case 0x22 -> {
                        add(id(at), at, OBJECT_ARRAY);
                        at += 4 + id + 4 + id + u4(at + 4 + id) * id;
                    }
                    case 0x23 -> {
                        add(id(at), at, PRIMITIVE_ARRAY);
                        at += 4 + id + 4 + 1 + u4(at + 4 + id) * typeSize(u1(at + 4 + id + 4));
                    }
                    default -> throw new IllegalStateException("Unknown heap dump record " + tag + " at byte " + at);
                }
            }
        }

        private int readClass(int at) {
            long classId = id(at);
            long superId = id(at + 4 + this.idSize);
            at += 4 + 7 * this.idSize + 4;
            int constants = u2(at);
            at += 2;
            for (int i = 0; i < constants; i++) {
                at += 3 + typeSize(u1(at + 2));
            }
            int statics = u2(at);
            at += 2;
            List<Long> staticReferences = new ArrayList<>();
            for (int i = 0; i < statics; i++) {
                int type = u1(at + this.idSize);
                if (type == 2) {
                    staticReferences.add(id(at + this.idSize + 1));
                }
                at += this.idSize + 1 + typeSize(type);
            }
            int fields = u2(at);
            at += 2;
            byte[] types = new byte[fields];
            String[] names = new String[fields];
            for (int i = 0; i < fields; i++) {
                names[i] = this.strings.get(id(at));
                types[i] = (byte) u1(at + this.idSize);
                at += this.idSize + 1;
            }
            this.classes.put(classId, new ClassLayout(superId, types, names, staticReferences));
            add(classId, -1, CLASS);
            return at;
        }

        private void add(long id, int offset, byte kind) {
            if (this.count == this.ids.length) {
                this.ids = Arrays.copyOf(this.ids, 2 * this.count);
                this.offsets = Arrays.copyOf(this.offsets, 2 * this.count);
                this.kinds = Arrays.copyOf(this.kinds, 2 * this.count);
            }
            this.ids[this.count] = id;
            this.offsets[this.count] = offset;
            this.kinds[this.count++] = kind;
        }

        private String className(int i) {
            int at = this.offsets[i];
            return switch (this.kinds[i]) {
                case CLASS -> "java.lang.Class";
                case INSTANCE -> this.classNames.getOrDefault(id(at + 4 + this.idSize), "?");
                case OBJECT_ARRAY -> arrayName(this.classNames.getOrDefault(id(at + 4 + this.idSize + 4), "?"));
                default -> PRIMITIVE_ARRAYS[u1(at + 4 + this.idSize + 4)];
            };
        }

        /** {@code [Ljava.lang.String;} as {@code java.lang.String[]}. */
        private static String arrayName(String name) {
            int dimensions = 0;
            while (dimensions < name.length() && name.charAt(dimensions) == '[') {
                dimensions++;
            }
            String element = (dimensions > 0 && name.charAt(dimensions) == 'L')
                    ? name.substring(dimensions + 1, name.length() - 1) : name.substring(dimensions);
            return element + "[]".repeat(Math.max(dimensions, 1));
        }

        private long size(int i) {
            int at = this.offsets[i];
            long bytes = switch (this.kinds[i]) {
                case INSTANCE -> {
                    long fields = 12;
                    int field = at + 4 + 2 * this.idSize + 4;
                    for (ClassLayout layout = this.classes.get(id(at + 4 + this.idSize)); layout != null;
                            layout = this.classes.get(layout.superId())) {
                        for (int k = 0; k < layout.fieldTypes().length; k++) {
                            int type = layout.fieldTypes()[k];
                            fields += (type == 2) ? 4 : typeSize(type);
                            if (type == 10 && "size".equals(layout.fieldNames()[k]) && STACK_CHUNK.equals(className(i))) {
                                fields += 8L * u4(field); // a virtual thread's frames, in words after its fields
                            }
                            field += typeSize(type);
                        }
                    }
                    yield fields;
                }
                case OBJECT_ARRAY -> 16 + 4L * u4(at + 4 + this.idSize);
                case PRIMITIVE_ARRAY -> 16 + (long) u4(at + 4 + this.idSize) * typeSize(u1(at + 4 + this.idSize + 4));
                default -> 0;
            };
            return (bytes + 7) / 8 * 8;
        }

        private void references(int i, List<Long> out) {
            int at = this.offsets[i];
            switch (this.kinds[i]) {
                case CLASS -> out.addAll(this.classes.get(this.ids[i]).staticReferences());
                case INSTANCE -> {
                    int field = at + 4 + 2 * this.idSize + 4;
                    for (ClassLayout layout = this.classes.get(id(at + 4 + this.idSize)); layout != null;
                            layout = this.classes.get(layout.superId())) {
                        for (byte type : layout.fieldTypes()) {
                            if (type == 2) {
                                out.add(id(field));
                            }
                            field += typeSize(type);
                        }
                    }
                }
                case OBJECT_ARRAY -> {
                    int length = u4(at + 4 + this.idSize);
                    int first = at + 4 + this.idSize + 4 + this.idSize;
                    for (int k = 0; k < length; k++) {
                        out.add(id(first + k * this.idSize));
                    }
                }
                default -> {
                }
            }
        }

        private int typeSize(int type) {
            return switch (type) {
                case 2 -> this.idSize;
                case 4, 8 -> 1;
                case 5, 9 -> 2;
                case 6, 10 -> 4;
                case 7, 11 -> 8;
                default -> throw new IllegalStateException("Unknown field type " + type);
            };
        }

        private int u1(int at) {
            return this.data[at] & 0xFF;
        }

        private int u2(int at) {
            return (u1(at) << 8) | u1(at + 1);
        }

        private int u4(int at) {
            return (u2(at) << 16) | u2(at + 2);
        }

        private long id(int at) {
            return (this.idSize == 4) ? u4(at) & 0xFFFFFFFFL : ((long) u4(at) << 32) | (u4(at + 4) & 0xFFFFFFFFL);
        }

        private record ClassLayout(long superId, byte[] fieldTypes, String[] fieldNames, List<Long> staticReferences) {
        }

    }

    /** Object ids to their index, in open addressing: a map of boxed longs would take more than the dump. */
    static final class IdIndex {

        private final long[] keys;

        private final int[] values;

        private final int mask;

        IdIndex(int expected) {
            int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
            this.keys = new long[capacity];
            this.values = new int[capacity];
            this.mask = capacity - 1;
        }

        void put(long key, int value) {
            int slot = slot(key);
            while (this.keys[slot] != 0 && this.keys[slot] != key) {
                slot = (slot + 1) & this.mask;
            }
            this.keys[slot] = key;
            this.values[slot] = value;
        }

        /** The index of an id, or -1 (null, or not in the dump). */
        int get(long key) {
            if (key == 0) {
                return -1;
            }
            for (int slot = slot(key); this.keys[slot] != 0; slot = (slot + 1) & this.mask) {
                if (this.keys[slot] == key) {
                    return this.values[slot];
                }
            }
            return -1;
        }

        private int slot(long key) {
            return (int) (Long.hashCode(key * 0x9E3779B97F4A7C15L) & this.mask);
        }

    }

}
