package dev.strand.bench.heap;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads this JVM's own heap dumps: what a holder keeps is charged to it, JDK maps and arrays included. */
class HeapOwnersTest {

    /** Keeps what each test made alive until its second dump. */
    private static final List<Object> kept = new ArrayList<>();

    @TempDir
    Path dir;

    @Test
    void whenAHolderKeepsAMapOfArraysThenTheirBytesAreChargedToIt() throws IOException {
        Map<String, Long> before = owners("before");
        Holder holder = new Holder();
        for (int i = 0; i < 1000; i++) {
            holder.values.put("key-" + i, new byte[100]);
        }
        kept.add(holder);

        Map<String, Long> after = owners("after");

        long charged = after.getOrDefault(Holder.class.getName(), 0L) - before.getOrDefault(Holder.class.getName(), 0L);
        // 1,000 arrays of 120 bytes, their keys (two objects each) and nodes, and the map's table
        assertThat(charged).isBetween(1000L * (120 + 24 + 24 + 32), 1000L * (120 + 24 + 32 + 32) + 16 * 2048 + 1024);
        kept.clear();
    }

    @Test
    void whenObjectsAreGroupedThenStrandsWebFluxsAndNettysOwnersAreToldApart() {
        assertThat(HeapOwners.group("dev.strand.internal.TabActor")).startsWith("Strand: the view");
        assertThat(HeapOwners.group("dev.strand.web.SseConnection$Feed")).isEqualTo("Strand: the stream");
        assertThat(HeapOwners.group("org.springframework.web.server.session.InMemoryWebSessionStore$InMemoryWebSession"))
                .isEqualTo("the web session");
        assertThat(HeapOwners.group("org.springframework.web.server.adapter.DefaultServerWebExchange"))
                .startsWith("Spring WebFlux");
        assertThat(HeapOwners.group("reactor.netty.http.server.HttpServerOperations")).startsWith("Netty");
        assertThat(HeapOwners.group("reactor.core.publisher.MonoFlatMap$FlatMapMain")).startsWith("Reactor");
        assertThat(HeapOwners.group("jdk.internal.vm.StackChunk")).startsWith("a task's virtual thread");
    }

    private Map<String, Long> owners(String name) throws IOException {
        Path file = this.dir.resolve(name + ".hprof");
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(file.toString(), true);
        return new HeapOwners.Dump(Files.readAllBytes(file)).bytesByOwner();
    }

    /** A non-JDK object that holds JDK ones. */
    static final class Holder {

        final Map<String, byte[]> values = new HashMap<>();

    }

}
