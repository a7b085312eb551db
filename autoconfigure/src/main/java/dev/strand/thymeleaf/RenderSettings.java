package dev.strand.thymeleaf;

import java.util.Collection;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationContext;
import org.springframework.expression.TypeConverter;
import org.springframework.util.ClassUtils;
import org.thymeleaf.ITemplateEngine;
import org.thymeleaf.context.ITemplateContext;
import org.thymeleaf.spring6.expression.ThymeleafEvaluationContext;

/**
 * What the renderers of all views share: the engine, how much of its chunks a stream container keeps, and, on
 * Spring's engine, what Spring's view gave the page's expressions: its application context (for
 * {@code ${@bean.method()}}), its conversion service (for {@code ${{value}}}) and the classes a view's
 * expressions may name. Each of Strand's renders gets a SpEL evaluation context of its own made from them, as
 * each request does from Spring's view.
 */
final class RenderSettings {

	private static final boolean SPRING = ClassUtils.isPresent(
			"org.thymeleaf.spring6.expression.ThymeleafEvaluationContext", RenderSettings.class.getClassLoader());

	/** The name a render's evaluation context goes by among its variables (a constant: no class is loaded). */
	static final String EVALUATION_CONTEXT = ThymeleafEvaluationContext.THYMELEAF_EVALUATION_CONTEXT_CONTEXT_VARIABLE_NAME;

	final ITemplateEngine engine;

	final long historySize;

	private final @Nullable SpringExpressions spring;

	private RenderSettings(ITemplateEngine engine, long historySize, @Nullable SpringExpressions spring) {
		this.engine = engine;
		this.historySize = historySize;
		this.spring = spring;
	}

	/**
	 * The settings for a page, reusing {@code shared} when it was made for the same engine and application
	 * context.
	 * @param engine the engine
	 * @param historySize how many bytes of chunks a stream container keeps
	 * @param page the page's context, as Spring's view (or the caller of the engine) made it
	 * @param shared the settings made for an earlier page, if any
	 * @return settings for this page's views
	 */
	static RenderSettings of(ITemplateEngine engine, long historySize, ITemplateContext page,
			@Nullable RenderSettings shared) {
		SpringExpressions spring = SPRING ? SpringExpressions.of(page) : null;
		if (shared != null && shared.engine == engine && shared.historySize == historySize
				&& (shared.spring == null ? spring == null : shared.spring.sameAs(spring))) {
			return shared;
		}
		return new RenderSettings(engine, historySize, spring);
	}

	/**
	 * A fresh SpEL evaluation context for one render, which that render keeps its expression objects in, or
	 * {@code null} when the page had none of Spring's.
	 * @return the evaluation context to render with, or {@code null}
	 */
	@Nullable Object evaluationContext() {
		return (this.spring != null) ? this.spring.evaluationContext() : null;
	}

	/** What Spring's view put in the page's SpEL evaluation context, to make another like it. */
	private record SpringExpressions(ApplicationContext applicationContext, TypeConverter typeConverter,
			Collection<Class<?>> allowedClassOverrides) {

		static @Nullable SpringExpressions of(ITemplateContext page) {
			if (page.getVariable(EVALUATION_CONTEXT) instanceof ThymeleafEvaluationContext spring) {
				return new SpringExpressions(spring.getApplicationContext(), spring.getTypeConverter(),
						spring.getAllowedClassOverridesForViews());
			}
			return null;
		}

		boolean sameAs(@Nullable SpringExpressions other) {
			// Spring's view gives every page of an application the same: its context, and a converter of the
			// conversion service that context holds
			return other != null && other.applicationContext == this.applicationContext
					&& other.allowedClassOverrides.equals(this.allowedClassOverrides);
		}

		ThymeleafEvaluationContext evaluationContext() {
			ThymeleafEvaluationContext context = new ThymeleafEvaluationContext(this.applicationContext, null,
					this.allowedClassOverrides);
			context.setTypeConverter(this.typeConverter);
			return context;
		}

	}

}
