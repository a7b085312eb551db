package dev.strand.bench.baseline.webflux;

import dev.strand.bench.SseFrames;
import dev.strand.bench.baseline.BenchTabs;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.thymeleaf.context.Context;
import org.thymeleaf.spring6.ISpringWebFluxTemplateEngine;

/**
 * Plain Spring WebFlux without Strand: {@code Flux<ServerSentEvent<String>>} per tab, tasks on
 * virtual threads, and every chunk's data rendered by a tiny Thymeleaf fragment
 * ({@code templates/bench/chunk.html}) to pay a rendering cost like Strand's.
 */
// Strand's auto-configuration is on this module's classpath for the Strand target: keep it out.
@SpringBootApplication(proxyBeanMethods = false, excludeName = "dev.strand.autoconfigure.StrandAutoConfiguration")
public class WebFluxBaselineApp {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(WebFluxBaselineApp.class);
        application.setWebApplicationType(WebApplicationType.REACTIVE);
        application.setDefaultProperties(Map.of(
                "server.address", "127.0.0.1",
                "server.shutdown", "immediate",
                "spring.main.banner-mode", "off"));
        application.run(args);
    }

    @Bean(destroyMethod = "close")
    BenchTabs benchTabs(ISpringWebFluxTemplateEngine templates) {
        Set<String> fragment = Set.of("chunk");
        return new BenchTabs(Executors.newVirtualThreadPerTaskExecutor(), text -> templates.process("bench/chunk",
                fragment, new Context(Locale.ROOT, Map.of("task", SseFrames.TASK, "text", text))));
    }
}
