package dev.strand.bench.strand;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelOption;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.web.server.WebFilter;

/**
 * The Strand target: the bench endpoints on Strand's starter (WebFlux, Thymeleaf, a {@code View} per
 * tab, tasks started with {@code startAsync} on virtual threads). Strand's limits are raised for the
 * load (a million tasks, a thousand views per session, a million web sessions) and its metrics are
 * bound to a {@link SimpleMeterRegistry}, as an application with Actuator would have them, so that
 * {@code /bench/stats} reports the {@code strand.views.active}, {@code strand.tasks.active},
 * {@code strand.tasks.lingering} and {@code strand.buffers.taken} gauges. Everything else is Strand's default, except two timeouts the load client never needs:
 * a closed tab's view goes after 1 s (default 15 s, the reconnect grace) and shutdown waits 1 s for
 * task bodies. Override any of them with {@code -Dstrand....} (run.sh: {@code SERVER_OPTS}).
 *
 * <p>{@code -Dbench.send-buffer=BYTES} sets {@code SO_SNDBUF} on every connection (unset: the kernel
 * auto-tunes it). On loopback, whose MSS is 64 KiB, Linux grows a stream's send buffer to
 * {@code tcp_wmem}'s maximum (4 MiB here), so a tab that reads slowly would take hours to fill it before
 * Strand sees any backpressure; over a network it stays far smaller. The slowreaders scenario sets it.
 *
 * <p>The cluster scenario ({@code benchmarks/cluster.sh}) runs it in Strand's shared mode,
 * {@code --strand.cluster.mode=redis --spring.data.redis.port=PORT} (the module has the Redis starter; without
 * that property nothing of it is used), with {@code -Dbench.node-header=true}: every response then names the
 * server in a {@code Bench-Node} header (its pid), so that the load client knows where each tab's view lives
 * (the server that answered its page) and which tabs must remount when it kills one.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class StrandBenchApp {

    /** The properties the bench sets; system properties and arguments override them. */
    static final Map<String, Object> PROPERTIES = Map.ofEntries(
            Map.entry("server.address", "127.0.0.1"),
            Map.entry("server.shutdown", "immediate"),
            Map.entry("server.reactive.session.max-sessions", "1000000"),
            Map.entry("spring.main.banner-mode", "off"),
            Map.entry("strand.limits.tasks", "1000000"),
            Map.entry("strand.limits.views-per-session", "1000"),
            Map.entry("strand.tasks.timeout", "1h"),
            Map.entry("strand.tasks.shutdown-grace", "1s"),
            Map.entry("strand.views.connect-timeout", "1m"),
            Map.entry("strand.views.disconnect-grace", "1s"));

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(StrandBenchApp.class);
        application.setWebApplicationType(WebApplicationType.REACTIVE);
        application.setDefaultProperties(PROPERTIES);
        application.run(args);
    }

    /** With {@code bench.send-buffer}: a fixed send buffer on every connection (see the class comment). */
    @Bean
    @ConditionalOnProperty("bench.send-buffer")
    NettyServerCustomizer benchSendBuffer(@Value("${bench.send-buffer}") int bytes) {
        return server -> server.childOption(ChannelOption.SO_SNDBUF, bytes);
    }

    /** With {@code bench.node-header}: every response says which server answered it (see the class comment). */
    @Bean
    @ConditionalOnProperty("bench.node-header")
    WebFilter benchNodeHeader() {
        String pid = Long.toString(ProcessHandle.current().pid());
        return (exchange, chain) -> {
            exchange.getResponse().getHeaders().set("Bench-Node", pid);
            return chain.filter(exchange);
        };
    }

    /** Strand's meters (and any other binder's), as Actuator would register them. */
    @Bean
    SimpleMeterRegistry benchMeterRegistry(ObjectProvider<MeterBinder> binders) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        binders.orderedStream().forEach(binder -> binder.bindTo(registry));
        return registry;
    }
}
