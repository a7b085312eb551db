package dev.strand.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.thymeleaf.autoconfigure.ThymeleafAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.thymeleaf.spring6.ISpringWebFluxTemplateEngine;

import dev.strand.AsyncOptions;
import dev.strand.AsyncTask;
import dev.strand.CancelReason;
import dev.strand.HandleAsync;
import dev.strand.Outcome;
import dev.strand.TaskName;
import dev.strand.View;
import dev.strand.internal.Callbacks;
import dev.strand.internal.EngineSettings;
import dev.strand.internal.EventLog;
import dev.strand.internal.RingMemory;
import dev.strand.internal.SessionHandle;
import dev.strand.internal.StrandEngine;
import dev.strand.internal.StrandMetrics;
import dev.strand.internal.Tab;
import dev.strand.internal.TabRegistry;
import dev.strand.thymeleaf.StrandDialect;
import dev.strand.web.CallbackMethods;
import dev.strand.web.CsrfPageAttributes;
import dev.strand.web.DirectRingMemory;
import dev.strand.web.PageAttributes;
import dev.strand.web.StrandWebFilter;
import dev.strand.web.StreamHandler;
import dev.strand.web.ViewArgumentResolver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.throwable;
import static org.awaitility.Awaitility.await;

/** Tests for {@link StrandAutoConfiguration}. */
class StrandAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner contextRunner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(StrandAutoConfiguration.class, WebFluxAutoConfiguration.class,
				ThymeleafAutoConfiguration.class));

	@Test
	void whenReactiveWebApplicationThenStrandIsConfigured() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(StrandEngine.class);
			assertThat(context).hasSingleBean(StrandLifecycle.class);
			assertThat(context).hasSingleBean(CallbackMethods.class);
			assertThat(context).hasSingleBean(ViewArgumentResolver.class);
			assertThat(context).hasSingleBean(StrandWebFilter.class);
			assertThat(context).hasSingleBean(StreamHandler.class);
			assertThat(context).hasSingleBean(StrandDialect.class);
			assertThat(context).hasSingleBean(MicrometerStrandMetrics.class);
			assertThat(context).hasBean(StrandAutoConfiguration.TASK_EXECUTOR_BEAN_NAME);
			assertThat(context).getBean("strandWebFluxConfigurer").isInstanceOf(WebFluxConfigurer.class);
			assertThat(context).hasBean("strandStreamRoutes");
		});
	}

	@Test
	void whenNotAWebApplicationThenStrandIsNotConfigured() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(StrandAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(StrandEngine.class));
	}

	@Test
	void whenWebFluxIsAbsentThenStrandIsNotConfigured() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(WebFluxConfigurer.class))
			.run((context) -> assertThat(context).doesNotHaveBean(StrandEngine.class));
	}

	@Test
	void whenReactorNettyIsOnTheClasspathThenReplayBuffersAndHistoriesAreKeptOffTheHeap() {
		this.contextRunner.run((context) -> assertThat(context.getBean(StrandEngine.class).buffers().memory())
			.isSameAs(context.getBean(RingMemory.class)).isInstanceOf(DirectRingMemory.class));
	}

	@Test
	void whenDirectBuffersAreTurnedOffThenReplayBuffersAndHistoriesAreKeptOnTheHeap() {
		this.contextRunner.withPropertyValues("strand.stream.direct-buffers=false")
			.run((context) -> assertThat(context.getBean(StrandEngine.class).buffers().memory()).isSameAs(RingMemory.HEAP));
	}

	@Test
	void whenReactorNettyIsAbsentThenReplayBuffersAndHistoriesAreKeptOnTheHeap() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("reactor.netty"))
			.run((context) -> assertThat(context.getBean(StrandEngine.class).buffers().memory()).isSameAs(RingMemory.HEAP));
	}

	// ---- back-off -------------------------------------------------------------------------------------

	@Test
	void whenUserDefinesTaskExecutorThenItIsUsed() {
		CountingExecutor executor = new CountingExecutor();
		this.contextRunner.withBean(StrandAutoConfiguration.TASK_EXECUTOR_BEAN_NAME, Executor.class, () -> executor)
			.run((context) -> {
				assertThat(context).getBean(StrandAutoConfiguration.TASK_EXECUTOR_BEAN_NAME).isSameAs(executor);
				assertThat(Tasks.run(context.getBean(TabRegistry.class), "job", (task) -> "done"))
					.isEqualTo(new Outcome.Ok<>("done"));
				assertThat(executor.executed).hasValue(1);
			});
	}

	@Test
	void whenUserDefinesAnotherExecutorThenStrandKeepsItsOwn() {
		CountingExecutor executor = new CountingExecutor();
		this.contextRunner.withBean("applicationTaskExecutor", Executor.class, () -> executor).run((context) -> {
			assertThat(context).getBean(StrandAutoConfiguration.TASK_EXECUTOR_BEAN_NAME).isNotSameAs(executor);
			assertThat(Tasks.run(context.getBean(TabRegistry.class), "job", (task) -> Thread.currentThread().isVirtual()))
				.isEqualTo(new Outcome.Ok<>(true));
			assertThat(executor.executed).hasValue(0);
		});
	}

	@Test
	void whenAStartChoosesAnExecutorBeanThenTheTaskRunsOnItAndItsTimerIsTaggedWithTheBeanName() {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
					ObservationAutoConfiguration.class))
			.withUserConfiguration(ReportsExecutorConfiguration.class)
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				Executor reports = context.getBean("reports", Executor.class);
				ExecutorService adHoc = Executors.newSingleThreadExecutor();
				try {
					Tasks tasks = new Tasks();
					Tab view = tasks.connectedView(context.getBean(TabRegistry.class));
					Tasks.execute(view, (v) -> v
						.startAsync("by-name", AsyncOptions.executor("reports"), (task) -> Thread.currentThread().isVirtual())
						.startAsync("by-bean", AsyncOptions.executor(reports), (task) -> Thread.currentThread().isVirtual())
						.startAsync("ad-hoc", AsyncOptions.executor(adHoc), (task) -> Thread.currentThread().isVirtual())
						.startAsync("default", (task) -> Thread.currentThread().isVirtual()));
					assertThat(tasks.outcome("by-name")).isEqualTo(new Outcome.Ok<>(false));
					assertThat(tasks.outcome("by-bean")).isEqualTo(new Outcome.Ok<>(false));
					assertThat(tasks.outcome("ad-hoc")).isEqualTo(new Outcome.Ok<>(false));
					assertThat(tasks.outcome("default")).isEqualTo(new Outcome.Ok<>(true));
				}
				finally {
					adHoc.shutdownNow();
				}
				await().atMost(Duration.ofSeconds(10)).until(() -> count(registry.find("strand.task").timers()) == 4);
				assertThat(registry.get("strand.tasks").tags("task", "by-name", "executor", "reports").timer().count()).isOne();
				assertThat(registry.get("strand.tasks").tags("task", "by-bean", "executor", "reports").timer().count()).isOne();
				assertThat(registry.get("strand.tasks").tags("task", "ad-hoc", "executor", "other").timer().count()).isOne();
				assertThat(registry.get("strand.tasks").tags("task", "default", "executor", "strandTaskExecutor").timer().count())
					.isOne();
				assertThat(registry.get("strand.task").tags("strand.task", "by-name", "strand.executor", "reports").timer().count())
					.isOne();
			});
	}

	@Test
	void whenAStartNamesNoExecutorBeanThenTheCallFailsNamingItAndTheExecutorBeans() {
		this.contextRunner.withUserConfiguration(ReportsExecutorConfiguration.class)
			.withBean("notAnExecutor", String.class, () -> "just a string")
			.run((context) -> {
				Tab view = new Tasks().connectedView(context.getBean(TabRegistry.class));
				assertThat(Tasks.call(view, (v) -> v.startAsync("job", AsyncOptions.executor("reprots"), (task) -> "done")))
					.asInstanceOf(throwable(IllegalArgumentException.class))
					.hasMessageStartingWith("AsyncOptions.executor(\"reprots\") names no bean; the Executor beans are [")
					.hasMessageContaining("reports, strandTaskExecutor")
					.hasMessageEndingWith(": define an Executor bean named 'reprots', or fix the name");
				assertThat(Tasks.call(view, (v) -> v.assignAsync("org", AsyncOptions.executor("notAnExecutor"), () -> "Acme")))
					.asInstanceOf(throwable(IllegalArgumentException.class))
					.hasMessageStartingWith("AsyncOptions.executor(\"notAnExecutor\") names a bean of type java.lang.String, "
							+ "which is not an Executor; the Executor beans are [");
				assertThat(Tasks.call(view, (v) -> v.isRunning("job") || v.get("org") != null)).isEqualTo(false);
			});
	}

	@Test
	void whenUserDefinesEngineThenItIsUsed() {
		this.contextRunner.withBean("userEngine", StrandEngine.class, StrandEngine::withDefaults).run((context) -> {
			assertThat(context).hasSingleBean(StrandEngine.class);
			assertThat(context).getBean(StrandEngine.class).isSameAs(context.getBean("userEngine"));
		});
	}

	@Test
	void whenUserDefinesMetricsThenTheEngineReportsToThem() {
		RecordingMetrics metrics = new RecordingMetrics();
		this.contextRunner.withBean("userMetrics", StrandMetrics.class, () -> metrics).run((context) -> {
			assertThat(context).doesNotHaveBean(MicrometerStrandMetrics.class);
			Tasks.run(context.getBean(TabRegistry.class), "job", (task) -> "done");
			await().atMost(Duration.ofSeconds(10)).until(() -> metrics.ended.containsKey("job"));
			assertThat(metrics.ended).containsEntry("job", Outcome.Kind.OK);
		});
	}

	@Test
	void whenUserDefinesLifecycleThenItIsUsed() {
		this.contextRunner.withUserConfiguration(UserLifecycleConfiguration.class)
			.run((context) -> assertThat(context).getBean(StrandLifecycle.class).isSameAs(context.getBean("userLifecycle")));
	}

	@Test
	void whenUserDefinesCallbackMethodsThenTheyAreUsed() {
		this.contextRunner.withBean("userCallbackMethods", CallbackMethods.class, CallbackMethods::new)
			.run((context) -> assertThat(context).getBean(CallbackMethods.class)
				.isSameAs(context.getBean("userCallbackMethods")));
	}

	@Test
	void whenUserDefinesPageAttributesThenTheyAreUsed() {
		PageAttributes attributes = (exchange) -> reactor.core.publisher.Mono.just(Map.of("extra", "value"));
		this.contextRunner.withBean("userPageAttributes", PageAttributes.class, () -> attributes)
			.run((context) -> assertThat(context).getBean(PageAttributes.class).isSameAs(attributes));
	}

	@Test
	void whenUserDefinesViewArgumentResolverThenItIsUsed() {
		this.contextRunner.withUserConfiguration(UserResolverConfiguration.class)
			.run((context) -> assertThat(context).getBean(ViewArgumentResolver.class)
				.isSameAs(context.getBean("userResolver")));
	}

	@Test
	void whenUserDefinesWebFilterThenItIsUsed() {
		StrandWebFilter filter = new StrandWebFilter(1024);
		this.contextRunner.withBean("userFilter", StrandWebFilter.class, () -> filter)
			.run((context) -> assertThat(context).getBean(StrandWebFilter.class).isSameAs(filter));
	}

	@Test
	void whenUserDefinesStreamHandlerThenItIsUsed() {
		this.contextRunner.withUserConfiguration(UserStreamHandlerConfiguration.class)
			.run((context) -> assertThat(context).getBean(StreamHandler.class)
				.isSameAs(context.getBean("userStreamHandler")));
	}

	@Test
	void whenUserDefinesDialectThenItIsUsed() {
		StrandDialect dialect = new StrandDialect(() -> null, "/events", "/strand.js", "interrupted");
		this.contextRunner.withBean("userDialect", StrandDialect.class, () -> dialect)
			.run((context) -> assertThat(context).getBean(StrandDialect.class).isSameAs(dialect));
	}

	// ---- optional dependencies ------------------------------------------------------------------------

	@Test
	void whenThymeleafIsAbsentThenThereIsNoDialect() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(ISpringWebFluxTemplateEngine.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(StrandDialect.class);
			assertThat(context).hasSingleBean(StrandEngine.class);
		});
	}

	@Test
	void whenMicrometerIsAbsentThenThereIsNoMetricsBeanAndTasksStillRun() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(StrandMetrics.class);
			assertThat(Tasks.run(context.getBean(TabRegistry.class), "job", (task) -> "done"))
				.isEqualTo(new Outcome.Ok<>("done"));
		});
	}

	@Test
	void whenSpringSecurityIsPresentThenPagesGetTheCsrfToken() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(PageAttributes.class);
			assertThat(context).getBean(PageAttributes.class).isInstanceOf(CsrfPageAttributes.class);
		});
	}

	@Test
	void whenSpringSecurityIsAbsentThenPagesGetNoCsrfAttributes() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.security")).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(CsrfPageAttributes.class);
			assertThat(context).getBean(PageAttributes.class).isSameAs(PageAttributes.NONE);
		});
	}

	// ---- properties -----------------------------------------------------------------------------------

	@Test
	void whenNoPropertyIsSetThenTheEngineHasTheDocumentedDefaults() {
		this.contextRunner.run((context) -> assertThat(context.getBean(StrandEngine.class).settings())
			.isEqualTo(new EngineSettings(32, 64, 10_000, Duration.ofMinutes(5), Duration.ofSeconds(1),
					Duration.ofSeconds(30), Duration.ofSeconds(15), 1024, 1024 * 1024, 256, 256 * 1024, 64 * 1024,
					Duration.ofSeconds(10), Duration.ofSeconds(10), Runtime.getRuntime().maxMemory() / 8)));
	}

	@Test
	void whenTasksPerViewIsSetThenItReachesTheEngine() {
		this.contextRunner.withPropertyValues("strand.limits.tasks-per-view=3")
			.run((context) -> assertThat(context.getBean(StrandEngine.class).settings().tasksPerView()).isEqualTo(3));
	}

	@Test
	void whenEveryEnginePropertyIsSetThenEachReachesItsSetting() {
		this.contextRunner
			.withPropertyValues("strand.limits.views-per-session=2", "strand.limits.tasks-per-view=3",
					"strand.limits.tasks=4", "strand.tasks.timeout=5s", "strand.tasks.linger-warning=6s",
					"strand.views.connect-timeout=7s", "strand.views.disconnect-grace=8s",
					"strand.stream.replay-buffer=90", "strand.stream.replay-buffer-size=91KB", "strand.stream.max-pending=10",
					"strand.stream.max-pending-size=10KB", "strand.stream.max-chunk-size=1KB", "strand.stream.push-timeout=11s",
					"strand.tasks.shutdown-grace=12s", "strand.stream.total-buffer-size=13MB")
			.run((context) -> assertThat(context.getBean(StrandEngine.class).settings())
				.isEqualTo(new EngineSettings(2, 3, 4, Duration.ofSeconds(5), Duration.ofSeconds(6), Duration.ofSeconds(7),
						Duration.ofSeconds(8), 90, 91 * 1024, 10, 10 * 1024, 1024, Duration.ofSeconds(11),
						Duration.ofSeconds(12), 13 * 1024 * 1024)));
	}

	@Test
	void whenTheTotalBufferSizeIsSetThenTheEnginesRingsShareABudgetOfThatSize() {
		this.contextRunner.withPropertyValues("strand.stream.total-buffer-size=3MB")
			.run((context) -> assertThat(context.getBean(StrandEngine.class).buffers().total()).isEqualTo(3 * 1024 * 1024));
	}

	@Test
	void whenTheTotalBufferSizeIsNegativeThenStartupFailsNamingTheProperty() {
		assertStartupFailsNaming("strand.stream.total-buffer-size=-1KB", "strand.stream.total-buffer-size must not be negative");
	}

	@Test
	void whenPropertiesAreSetThenTheyBindToStrandProperties() {
		this.contextRunner
			.withPropertyValues("strand.stream.path=/live/events", "strand.stream.heartbeat=3s",
					"strand.limits.max-event-size=2KB", "strand.views.session-check-interval=9s")
			.run((context) -> {
				StrandProperties properties = context.getBean(StrandProperties.class);
				assertThat(properties.stream().path()).isEqualTo("/live/events");
				assertThat(properties.stream().heartbeat()).isEqualTo(Duration.ofSeconds(3));
				assertThat(properties.limits().maxEventSize().toBytes()).isEqualTo(2048);
				assertThat(properties.views().sessionCheckInterval()).isEqualTo(Duration.ofSeconds(9));
			});
	}

	@Test
	void whenStreamPathIsInvalidThenStartupFailsNamingTheProperty() {
		assertStartupFailsNaming("strand.stream.path=nope", "strand.stream.path");
		assertStartupFailsNaming("strand.stream.path=/strand/", "strand.stream.path");
	}

	@Test
	void whenALimitIsNotPositiveThenStartupFailsNamingTheProperty() {
		assertStartupFailsNaming("strand.limits.tasks-per-view=0", "strand.limits.tasks-per-view");
		assertStartupFailsNaming("strand.limits.views-per-session=-1", "strand.limits.views-per-session");
		assertStartupFailsNaming("strand.limits.tasks=0", "strand.limits.tasks");
		assertStartupFailsNaming("strand.stream.replay-buffer=0", "strand.stream.replay-buffer");
		assertStartupFailsNaming("strand.limits.max-event-size=0B", "strand.limits.max-event-size");
	}

	@Test
	void whenMaxPendingIsNotBelowTheReplayBufferThenStartupFailsNamingBoth() {
		assertStartupFailsNaming("strand.stream.max-pending=1024", "strand.stream.max-pending");
		assertStartupFailsNaming("strand.stream.max-pending=1024", "strand.stream.replay-buffer");
	}

	@Test
	void whenTheByteBudgetsDoNotNestThenStartupFailsNamingThem() {
		assertStartupFailsNaming("strand.stream.max-chunk-size=0B", "strand.stream.max-chunk-size");
		assertStartupFailsNaming("strand.stream.max-chunk-size=512KB", "strand.stream.max-pending-size");
		assertStartupFailsNaming("strand.stream.max-pending-size=1MB", "strand.stream.replay-buffer-size");
	}

	@Test
	void whenADurationIsNotPositiveThenStartupFailsNamingTheProperty() {
		assertStartupFailsNaming("strand.tasks.timeout=0s", "strand.tasks.timeout");
		assertStartupFailsNaming("strand.views.connect-timeout=-1s", "strand.views.connect-timeout");
		assertStartupFailsNaming("strand.views.disconnect-grace=-1s", "strand.views.disconnect-grace");
		assertStartupFailsNaming("strand.stream.push-timeout=-1s", "strand.stream.push-timeout");
		assertStartupFailsNaming("strand.stream.heartbeat=0s", "strand.stream.heartbeat");
		assertStartupFailsNaming("strand.views.session-check-interval=0s", "strand.views.session-check-interval");
	}

	@Test
	void whenAPropertyHasTheWrongTypeThenStartupFailsNamingIt() {
		assertStartupFailsNaming("strand.tasks.timeout=soon", "strand.tasks.timeout");
	}

	private void assertStartupFailsNaming(String property, String name) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(messages(context.getStartupFailure())).as("the failure for " + property).contains(name);
		});
	}

	private static String messages(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			messages.append(cause.getMessage()).append('\n');
		}
		return messages.toString();
	}

	// ---- lifecycle ------------------------------------------------------------------------------------

	@Test
	void whenContextClosesThenTasksThatOutlastTheShutdownGraceEndWithShutdown() {
		Tasks tasks = new Tasks();
		CountDownLatch started = new CountDownLatch(1);
		this.contextRunner.withPropertyValues("strand.tasks.shutdown-grace=100ms").run((context) -> {
			Tab view = tasks.connectedView(context.getBean(TabRegistry.class));
			Tasks.execute(view, (v) -> v.startAsync("job", (task) -> {
				started.countDown();
				new CountDownLatch(1).await();
				return "unreachable";
			}));
			assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
		});
		assertThat(tasks.outcome("job")).isEqualTo(new Outcome.Cancelled<>(CancelReason.SHUTDOWN));
	}

	@Test
	void whenContextClosesThenRunningTasksMayFinishWithinTheShutdownGrace() {
		Tasks tasks = new Tasks();
		CountDownLatch started = new CountDownLatch(1);
		this.contextRunner.withPropertyValues("strand.tasks.shutdown-grace=10s").run((context) -> {
			Tab view = tasks.connectedView(context.getBean(TabRegistry.class));
			Tasks.execute(view, (v) -> v.startAsync("job", (task) -> {
				started.countDown();
				Thread.sleep(300);
				return "finished";
			}));
			assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
		});
		assertThat(tasks.outcome("job")).isEqualTo(new Outcome.Ok<>("finished"));
	}

	@Test
	void whenSessionExpiresThenTheReaperClosesItsViewsAtTheConfiguredInterval() {
		this.contextRunner.withPropertyValues("strand.views.session-check-interval=10ms").run((context) -> {
			TabRegistry registry = context.getBean(TabRegistry.class);
			SessionHandle expired = new SessionHandle() {

				@Override
				public boolean isExpired() {
					return true;
				}

				@Override
				public void touch() {
				}

			};
			Tab view = registry.open("alice", expired, Callbacks.NONE).block();
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(view::isClosed);
			assertThat(registry.size()).isZero();
		});
	}

	// ---- metrics --------------------------------------------------------------------------------------

	@Test
	void whenTasksEndThenTheirOutcomesAreTimedWithNameAndOutcomeTags() {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry).isInstanceOf(SimpleMeterRegistry.class);
				Tasks tasks = new Tasks();
				Tab view = tasks.connectedView(context.getBean(TabRegistry.class));
				Tasks.execute(view, (v) -> v.startAsync("fine", (task) -> {
					task.push("a");
					task.push("b");
					return "ok";
				}).startAsync("bad", (task) -> {
					throw task.fail("no");
				}).startAsync("crash", (task) -> {
					throw new IllegalStateException("boom");
				}));
				tasks.outcome("fine");
				tasks.outcome("bad");
				tasks.outcome("crash");
				CountDownLatch blocked = new CountDownLatch(1);
				Tasks.execute(view, (v) -> v.startAsync("stuck", (task) -> {
					blocked.countDown();
					new CountDownLatch(1).await();
					return "unreachable";
				}));
				assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
				assertThat(registry.get("strand.tasks.active").gauge().value()).isEqualTo(1);
				assertThat(registry.get("strand.views.active").gauge().value()).isEqualTo(1);
				assertThat(registry.get("strand.buffers.taken").gauge().value()).isZero(); // none past its free bytes
				Tasks.execute(view, (v) -> v.cancelAsync("stuck"));
				tasks.outcome("stuck");
				assertThat(registry.get("strand.tasks").tags("task", "fine", "outcome", "ok").timer().count()).isEqualTo(1);
				assertThat(registry.get("strand.tasks").tags("task", "bad", "outcome", "failed").timer().count()).isEqualTo(1);
				assertThat(registry.get("strand.tasks").tags("task", "crash", "outcome", "exit").timer().count()).isEqualTo(1);
				assertThat(registry.get("strand.tasks").tags("task", "stuck", "outcome", "cancelled").timer().count())
					.isEqualTo(1);
				assertThat(registry.get("strand.tasks").timers()).hasSize(4);
				assertThat(registry.get("strand.chunks").tag("task", "fine").counter().count()).isEqualTo(2);
				assertThat(registry.get("strand.tasks.active").gauge().value()).isZero();
				view.close(CancelReason.VIEW_CLOSED);
				await().atMost(Duration.ofSeconds(10)).until(() -> registry.get("strand.views.active").gauge().value() == 0);
				assertThat(registry.get("strand.tasks.lingering").gauge().value()).isZero();
			});
	}

	@Test
	void whenTasksAreNamedAtRunTimeThenTheirMetersAreTaggedWithTheCallbacksPatternNotTheName() {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
					ObservationAutoConfiguration.class))
			.withBean("workers", Workers.class, Workers::new)
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				Workers workers = context.getBean(Workers.class);
				Tab view = Tasks.connectedView(context.getBean(TabRegistry.class),
						context.getBean(CallbackMethods.class).forBean(workers));
				Tasks.execute(view, (v) -> {
					for (int n = 1; n <= 3; n++) {
						v.startAsync("worker-" + n, (task) -> {
							task.push("chunk");
							return "done";
						});
					}
					v.assignAsync(Set.of("profile", "rank"), () -> Map.of("profile", "Ada", "rank", 1))
						.assignAsync("row-7", () -> "a row");
				});
				await().atMost(Duration.ofSeconds(10)).until(() -> workers.ended.size() == 3
						&& count(registry.find("strand.tasks").timers()) == 5 && count(registry.find("strand.task").timers()) == 5);
				assertThat(registry.find("strand.tasks").timers()).extracting((timer) -> timer.getId().getTag("task"))
					.containsOnly("worker-*", "assignAsync");
				assertThat(registry.get("strand.tasks").tags("task", "worker-*", "outcome", "ok").timer().count()).isEqualTo(3);
				assertThat(registry.get("strand.tasks").tags("task", "assignAsync", "outcome", "ok").timer().count()).isEqualTo(2);
				assertThat(registry.find("strand.chunks").counters()).singleElement().satisfies((counter) -> {
					assertThat(counter.getId().getTag("task")).isEqualTo("worker-*");
					assertThat(counter.count()).isEqualTo(3);
				});
				assertThat(registry.find("strand.task").timers()).extracting((timer) -> timer.getId().getTag("strand.task"))
					.containsOnly("worker-*", "assignAsync");
				assertThat(workers.ended).containsOnlyKeys("worker-1", "worker-2", "worker-3");
			});
	}

	@Test
	void whenEveryKindOfMeterIsRecordedThenTheReadmesMetricsTableListsExactlyThem() {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
					ObservationAutoConfiguration.class))
			.withBean("workers", Workers.class, Workers::new)
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				Workers workers = context.getBean(Workers.class);
				Tab view = Tasks.connectedView(context.getBean(TabRegistry.class),
						context.getBean(CallbackMethods.class).forBean(workers));
				CountDownLatch release = new CountDownLatch(1);
				Tasks.execute(view, (v) -> v.startAsync("worker-1", (task) -> {
					task.push("chunk");
					release.await();
					return "done";
				}).startAsync("broken", (task) -> "done"));
				await().atMost(Duration.ofSeconds(10)).until(() -> registry.find("strand.callbacks.errors").counter() != null
						&& registry.find("strand.task.active").longTaskTimer() != null);
				release.countDown();
				await().atMost(Duration.ofSeconds(10)).until(() -> workers.ended.containsKey("worker-1"));
				Set<String> meters = new TreeSet<>();
				registry.getMeters().forEach((meter) -> meters.add(meter.getId().getName()));
				meters.removeIf((name) -> !name.startsWith("strand."));
				assertThat(readmeMeters()).isEqualTo(meters);
			});
	}

	/** The meter names in the first column of the README's Metrics table. */
	private static Set<String> readmeMeters() throws IOException {
		String readme = Files.readString(Path.of("..", "README.md"));
		String section = readme.substring(readme.indexOf("\n## Metrics\n"));
		section = section.substring(0, section.indexOf("\n## ", 1));
		Set<String> meters = new TreeSet<>();
		Matcher row = Pattern.compile("(?m)^\\| `(strand\\.[a-z.]+)` \\|").matcher(section);
		while (row.find()) {
			meters.add(row.group(1));
		}
		return meters;
	}

	private static long count(Collection<Timer> timers) {
		return timers.stream().mapToLong(Timer::count).sum();
	}

	// ---- support --------------------------------------------------------------------------------------

	@Configuration(proxyBeanMethods = false)
	static class UserLifecycleConfiguration {

		@Bean
		StrandLifecycle userLifecycle(StrandEngine engine, TabRegistry registry) {
			return new StrandLifecycle(engine, registry, Duration.ofMinutes(1));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ReportsExecutorConfiguration {

		@Bean
		ThreadPoolTaskExecutor reports() {
			ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
			executor.setCorePoolSize(1);
			executor.setMaxPoolSize(1);
			executor.setThreadNamePrefix("reports-");
			return executor;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserResolverConfiguration {

		@Bean
		ViewArgumentResolver userResolver(TabRegistry registry, CallbackMethods callbacks) {
			return new ViewArgumentResolver(registry, callbacks, () -> null, PageAttributes.NONE);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserStreamHandlerConfiguration {

		@Bean
		StreamHandler userStreamHandler(TabRegistry registry) {
			return new StreamHandler(registry, () -> null, Duration.ofSeconds(5), Duration.ofSeconds(30), 32);
		}

	}

	/** A controller whose tasks are named at run time, handled by one prefix pattern. */
	static final class Workers {

		final Map<String, Outcome<?>> ended = new ConcurrentHashMap<>();

		@HandleAsync("worker-*")
		void done(Outcome<String> outcome, @TaskName String name) {
			this.ended.put(name, outcome);
		}

		@HandleAsync("broken")
		void broken(Outcome<String> outcome) {
			throw new IllegalStateException("a callback that throws");
		}

	}

	/** Runs tasks on an engine and records their outcomes. */
	static final class Tasks implements Callbacks {

		private final Map<String, CompletableFuture<Outcome<?>>> outcomes = new ConcurrentHashMap<>();

		static Outcome<?> run(TabRegistry registry, String name, AsyncTask<?> body) {
			Tasks tasks = new Tasks();
			Tab view = tasks.connectedView(registry);
			execute(view, (v) -> v.startAsync(name, body));
			return tasks.outcome(name);
		}

		/** Run an action on a tab's view in a turn of its own, and return its result or what it threw. */
		static @Nullable Object call(Tab tab, java.util.function.Function<View, ?> action) {
			CompletableFuture<@Nullable Object> result = new CompletableFuture<>();
			execute(tab, (view) -> {
				try {
					result.complete(action.apply(view));
				}
				catch (RuntimeException ex) {
					result.complete(ex);
				}
			});
			return result.orTimeout(10, TimeUnit.SECONDS).join();
		}

		/** Run an action on a tab's view in a turn of its own. */
		static void execute(Tab tab, java.util.function.Consumer<View> action) {
			tab.requestTurn(null, (turn) -> {
				try {
					action.accept(turn.view());
				}
				finally {
					turn.end();
				}
			});
		}

		Tab connectedView(TabRegistry registry) {
			return connectedView(registry, this);
		}

		static Tab connectedView(TabRegistry registry, Callbacks callbacks) {
			Tab view = registry.open("session", SessionHandle.DETACHED, callbacks).block();
			CompletableFuture<EventLog.Subscription> connected = new CompletableFuture<>();
			view.connect(0, () -> {
			}, connected::complete);
			connected.orTimeout(10, TimeUnit.SECONDS).join();
			return view;
		}

		Outcome<?> outcome(String name) {
			return future(name).orTimeout(10, TimeUnit.SECONDS).join();
		}

		private CompletableFuture<Outcome<?>> future(String name) {
			return this.outcomes.computeIfAbsent(name, (key) -> new CompletableFuture<>());
		}

		@Override
		public boolean handlesAsync(String task) {
			return true;
		}

		@Override
		public void onOutcome(String task, Outcome<?> outcome, View view) {
			future(task).complete(outcome);
		}

		@Override
		public boolean handlesChunk(String task) {
			return false;
		}

		@Override
		public void onChunk(String task, Object chunk, View view) {
		}

		@Override
		public String describe() {
			return "test tasks";
		}

	}

	static final class CountingExecutor implements Executor {

		final AtomicInteger executed = new AtomicInteger();

		private final Executor delegate = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().factory());

		@Override
		public void execute(Runnable command) {
			this.executed.incrementAndGet();
			this.delegate.execute(command);
		}

	}

	static final class RecordingMetrics implements StrandMetrics {

		final Map<String, Outcome.Kind> ended = new ConcurrentHashMap<>();

		@Override
		public void taskEnded(String task, String executor, Outcome.Kind kind, long nanos) {
			this.ended.put(task, kind);
		}

	}

}
