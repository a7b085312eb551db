package dev.strand.autoconfigure;

import java.util.concurrent.Executor;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;
import org.springframework.web.reactive.result.view.ViewResolutionResultHandler;
import org.springframework.web.server.session.DefaultWebSessionManager;
import org.springframework.web.server.session.WebSessionManager;
import org.springframework.web.server.session.WebSessionStore;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.linkbuilder.StandardLinkBuilder;
import org.thymeleaf.spring6.ISpringWebFluxTemplateEngine;

import dev.strand.internal.MemoryTabRegistry;
import dev.strand.internal.RingMemory;
import dev.strand.internal.StrandEngine;
import dev.strand.internal.StrandMetrics;
import dev.strand.internal.TabRegistry;
import dev.strand.internal.TaskExecutors;
import dev.strand.thymeleaf.StrandDialect;
import dev.strand.thymeleaf.StrandLinkBuilder;
import dev.strand.web.CallbackMethods;
import dev.strand.web.CsrfPageAttributes;
import dev.strand.web.DetachedStreams;
import dev.strand.web.DirectRingMemory;
import dev.strand.web.EventLoopCompletion;
import dev.strand.web.LogoutClosesTabs;
import dev.strand.web.PageAttributes;
import dev.strand.web.PageEventResultHandler;
import dev.strand.web.StrandExceptionHandler;
import dev.strand.web.StrandWebFilter;
import dev.strand.web.StreamHandler;
import dev.strand.web.ViewArgumentResolver;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration Auto-configuration} for Strand.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration",
		"org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" },
		beforeName = "org.springframework.boot.thymeleaf.autoconfigure.ThymeleafAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(WebFluxConfigurer.class)
@EnableConfigurationProperties(StrandProperties.class)
public final class StrandAutoConfiguration {

	/**
	 * The name of the executor bean that runs task bodies, unless {@link dev.strand.AsyncOptions#executor(String)}
	 * names another.
	 */
	public static final String TASK_EXECUTOR_BEAN_NAME = TaskExecutors.DEFAULT_NAME;

	@Bean(name = TASK_EXECUTOR_BEAN_NAME)
	@ConditionalOnMissingBean(name = TASK_EXECUTOR_BEAN_NAME)
	Executor strandTaskExecutor() {
		// a virtual thread per task, named by the task it runs (strand-task-NAME) once it runs it
		return new SimpleAsyncTaskExecutor(Thread.ofVirtual().factory());
	}

	@Bean
	@ConditionalOnMissingBean
	StrandEngine strandEngine(StrandProperties properties, @Qualifier(TASK_EXECUTOR_BEAN_NAME) Executor taskExecutor,
			ListableBeanFactory beanFactory, ObjectProvider<ObservationRegistry> observations,
			ObjectProvider<StrandMetrics> metrics, ObjectProvider<JsonMapper> jsonMapper,
			ObjectProvider<RingMemory> ringMemory) {
		return new StrandEngine(properties.toEngineSettings(), new BeanFactoryTaskExecutors(beanFactory, taskExecutor),
				observations.getIfAvailable(() -> ObservationRegistry.NOOP),
				metrics.getIfAvailable(() -> StrandMetrics.NONE), jsonMapper.getIfAvailable(() -> JsonMapper.builder().build()),
				ringMemory.getIfAvailable(() -> RingMemory.HEAP));
	}

	@Bean
	@ConditionalOnMissingBean
	TabRegistry strandTabRegistry(StrandEngine engine) {
		return new MemoryTabRegistry(engine);
	}

	@Bean
	@ConditionalOnMissingBean
	StrandLifecycle strandLifecycle(StrandEngine engine, TabRegistry registry, StrandProperties properties) {
		return new StrandLifecycle(engine, registry, properties.views().sessionCheckInterval());
	}

	@Bean
	@ConditionalOnMissingBean
	static CallbackMethods strandCallbackMethods() {
		return new CallbackMethods();
	}

	@Bean
	@ConditionalOnMissingBean
	PageAttributes strandPageAttributes() {
		return PageAttributes.NONE;
	}

	@Bean
	@ConditionalOnMissingBean
	ViewArgumentResolver strandViewArgumentResolver(TabRegistry registry, CallbackMethods callbacks,
			ObjectProvider<WebSessionManager> sessionManager, PageAttributes pageAttributes) {
		return new ViewArgumentResolver(registry, callbacks, sessionStore(sessionManager), pageAttributes);
	}

	@Bean
	WebFluxConfigurer strandWebFluxConfigurer(ViewArgumentResolver resolver) {
		return new WebFluxConfigurer() {

			@Override
			public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
				configurer.addCustomResolver(resolver);
			}

		};
	}

	@Bean
	@ConditionalOnMissingBean
	PageEventResultHandler strandPageEventResultHandler(ObjectProvider<ViewResolutionResultHandler> viewResolution) {
		return new PageEventResultHandler(viewResolution::getObject);
	}

	@Bean
	@ConditionalOnMissingBean
	StrandWebFilter strandWebFilter(StrandProperties properties) {
		return new StrandWebFilter(properties.limits().maxEventSize().toBytes());
	}

	@Bean
	@ConditionalOnMissingBean
	StreamHandler strandStreamHandler(TabRegistry registry, ObjectProvider<WebSessionManager> sessionManager,
			StrandProperties properties) {
		return new StreamHandler(registry, sessionStore(sessionManager), properties.stream().heartbeat(),
				properties.stream().writeTimeout(), properties.limits().viewsPerSession());
	}

	@Bean
	@ConditionalOnMissingBean
	StrandExceptionHandler strandExceptionHandler() {
		return new StrandExceptionHandler();
	}

	private static Supplier<@Nullable WebSessionStore> sessionStore(ObjectProvider<WebSessionManager> sessionManager) {
		return SingletonSupplier.of(() -> (sessionManager.getIfAvailable() instanceof DefaultWebSessionManager defaults)
				? defaults.getSessionStore() : null);
	}

	/** A stream's body written once WebFlux has handled its request: see {@link DetachedStreams}. */
	@Bean
	DetachedStreams strandDetachedStreams(StrandProperties properties) {
		return new DetachedStreams(properties.stream().path());
	}

	@Bean
	RouterFunction<ServerResponse> strandStreamRoutes(StreamHandler handler, StrandProperties properties) {
		return handler.routes(properties.stream().path());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ISpringWebFluxTemplateEngine.class)
	static class ThymeleafConfiguration {

		@Bean
		@ConditionalOnMissingBean
		StrandDialect strandDialect(ObjectProvider<ISpringWebFluxTemplateEngine> templateEngine,
				StrandProperties properties) {
			return new StrandDialect(templateEngine::getObject, properties.stream().path(), "/strand/strand.js",
					properties.views().interruptedMessage(), properties.stream().historySize().toBytes());
		}

		@Bean
		static BeanPostProcessor strandLinkBuilderInstaller() {
			return new BeanPostProcessor() {

				@Override
				public Object postProcessBeforeInitialization(Object bean, String beanName) {
					if (bean instanceof TemplateEngine engine && !engine.isInitialized()
							&& engine.getLinkBuilders().stream().allMatch((builder) -> builder.getClass() == StandardLinkBuilder.class)) {
						engine.setLinkBuilder(new StrandLinkBuilder());
					}
					return bean;
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "reactor.netty.Connection")
	static class ReactorNettyConfiguration {

		/** Every response's end on its connection's event loop: see {@link EventLoopCompletion}. */
		@Bean
		static EventLoopCompletion strandEventLoopCompletion() {
			return new EventLoopCompletion();
		}

		/** Replay buffers and stream histories off the heap, unless {@code strand.stream.direct-buffers=false}. */
		@Bean
		@ConditionalOnMissingBean
		static RingMemory strandRingMemory(StrandProperties properties) {
			return properties.stream().directBuffers() ? new DirectRingMemory(ByteBufAllocator.DEFAULT) : RingMemory.HEAP;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean(StrandMetrics.class)
		MicrometerStrandMetrics strandMetrics(ObjectProvider<StrandEngine> engine, ObjectProvider<TabRegistry> registry) {
			return new MicrometerStrandMetrics(engine, registry);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.security.web.server.csrf.CsrfToken")
	static class SecurityConfiguration {

		@Bean
		@ConditionalOnMissingBean
		PageAttributes strandCsrfPageAttributes() {
			return new CsrfPageAttributes();
		}

		@Bean
		static LogoutClosesTabs strandLogoutClosesTabs(ObjectProvider<TabRegistry> registry) {
			return new LogoutClosesTabs(registry::getObject);
		}

	}

}
