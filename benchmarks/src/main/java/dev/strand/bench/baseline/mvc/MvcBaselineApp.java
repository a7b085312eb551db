package dev.strand.bench.baseline.mvc;

import dev.strand.bench.SseFrames;
import dev.strand.bench.baseline.BenchTabs;
import java.util.Map;
import java.util.concurrent.Executors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * What a Spring user writes by hand today: Spring MVC on Tomcat, an {@code SseEmitter} per tab and
 * tasks on a fixed pool of {@code bench.task-threads} platform threads (default 200). Tomcat's
 * connection, thread and keep-alive limits are raised so memory, not configuration, bounds it.
 */
// Strand's auto-configuration is on this module's classpath for the Strand target: keep it out.
@SpringBootApplication(proxyBeanMethods = false, excludeName = "dev.strand.autoconfigure.StrandAutoConfiguration")
public class MvcBaselineApp {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(MvcBaselineApp.class);
        application.setWebApplicationType(WebApplicationType.SERVLET);
        application.setDefaultProperties(Map.of(
                "server.address", "127.0.0.1",
                "server.tomcat.max-connections", "30000",
                "server.tomcat.accept-count", "4096",
                "server.tomcat.threads.max", "400",
                "server.tomcat.max-keep-alive-requests", "-1",
                "server.shutdown", "immediate",
                "spring.main.banner-mode", "off",
                "bench.task-threads", "200"));
        application.run(args);
    }

    @Bean(destroyMethod = "close")
    BenchTabs benchTabs(@Value("${bench.task-threads}") int taskThreads) {
        return new BenchTabs(Executors.newFixedThreadPool(taskThreads), SseFrames::chunkData);
    }
}
