package dev.strand.web;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

import dev.strand.HandleAsync;
import dev.strand.HandleChunk;
import dev.strand.Outcome;
import dev.strand.View;
import dev.strand.internal.Callbacks;

/**
 * Finds {@code @HandleAsync} and {@code @HandleChunk} methods on beans as they are created, checks their
 * signatures (a wrong one fails startup with a message that names the method), and gives each controller its
 * {@link Callbacks}.
 */
public final class CallbackMethods implements BeanPostProcessor {

	private final Map<Class<?>, ControllerCallbacks> byType = new ConcurrentHashMap<>();

	private final Map<String, ControllerCallbacks> byName = new ConcurrentHashMap<>();

	/**
	 * The callbacks found on each type so far. Thymeleaf's reactive view resolver creates and initialises a view bean
	 * for every page it renders, and searching its type's methods each time showed in the allocation profiles.
	 */
	private final Map<Class<?>, Found> searched = new ConcurrentHashMap<>();

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		Class<?> type = AopUtils.getTargetClass(bean);
		Found found = this.searched.computeIfAbsent(type, Found::search); // a refused type is not kept
		if (!found.async().isEmpty()) {
			ControllerCallbacks callbacks = new ControllerCallbacks(bean, found.async(), found.chunk());
			this.byType.put(ClassUtils.getUserClass(type), callbacks);
			this.byName.put(beanName, callbacks);
		}
		return bean;
	}

	/**
	 * Return the callbacks of a controller bean.
	 * @param bean the controller
	 * @return its callbacks, or callbacks that handle nothing
	 */
	public Callbacks forBean(Object bean) {
		if (bean instanceof String beanName) {
			Callbacks callbacks = this.byName.get(beanName);
			return (callbacks != null) ? callbacks : Callbacks.none("bean '" + beanName + "'");
		}
		if (bean instanceof Class<?> type) {
			Callbacks callbacks = this.byType.get(type);
			return (callbacks != null) ? callbacks : Callbacks.none(type.getName());
		}
		Callbacks callbacks = this.byType.get(ClassUtils.getUserClass(AopUtils.getTargetClass(bean)));
		return (callbacks != null) ? callbacks : Callbacks.none(ClassUtils.getUserClass(bean).getName());
	}

	/** How many types have been searched for callbacks: each type once, however many beans it has. */
	int typesSearched() {
		return this.searched.size();
	}

	private static Map<String, Method> find(Class<?> type, Class<? extends java.lang.annotation.Annotation> annotation,
			@Nullable Class<?> valueType) {
		Map<Method, String> methods = MethodIntrospector.selectMethods(type,
				(MethodIntrospector.MetadataLookup<String>) (method) -> {
					var attributes = AnnotatedElementUtils.findMergedAnnotationAttributes(method, annotation, false, false);
					return (attributes != null) ? attributes.getString("value") : null;
				});
		Map<String, Method> byName = new LinkedHashMap<>();
		methods.forEach((method, task) -> {
			check(method, annotation, task, valueType);
			Method previous = byName.put(task, method);
			if (previous != null) {
				throw new IllegalStateException("Two @" + annotation.getSimpleName() + "(\"" + task + "\") methods on "
						+ type.getName() + ": " + previous.getName() + " and " + method.getName() + "; keep one");
			}
		});
		return byName;
	}

	private static void check(Method method, Class<?> annotation, String task, @Nullable Class<?> valueType) {
		String where = "@" + ((Class<?>) annotation).getSimpleName() + "(\"" + task + "\") "
				+ ControllerCallbacks.describe(method);
		String expected = (valueType != null)
				? "an Outcome<T>, and optionally a View and a @TaskName String, in any order"
				: "the chunk (any type), and optionally a View and a @TaskName String, in any order";
		if (task.isBlank() || task.indexOf('*') >= 0 && task.indexOf('*') != task.length() - 1) {
			throw new IllegalStateException(where + " needs a task name, or a prefix pattern with one '*' at its end");
		}
		if (Modifier.isStatic(method.getModifiers())) {
			throw new IllegalStateException(where + " must not be static; expected an instance method " + expected);
		}
		if (method.getReturnType() != void.class) {
			throw new IllegalStateException(where + " returns " + method.getReturnType().getSimpleName()
					+ "; it must return void, with parameters " + expected);
		}
		Class<?>[] types = method.getParameterTypes();
		int views = 0;
		int names = 0;
		int values = 0;
		for (java.lang.reflect.Parameter parameter : method.getParameters()) {
			if (parameter.getType() == View.class) {
				views++;
			}
			else if (ControllerCallbacks.isTaskName(parameter)) {
				names += (parameter.getType() == String.class) ? 1 : 99;
			}
			else if (valueType == null || parameter.getType() == valueType) {
				values++;
			}
			else {
				values = 99;
			}
		}
		if (views > 1 || names > 1 || values != 1) {
			throw new IllegalStateException(where + " has parameters " + java.util.Arrays.stream(types)
				.map(Class::getSimpleName)
				.toList() + "; expected " + expected);
		}
	}

	/**
	 * The checked callbacks of one type.
	 *
	 * @param async {@code @HandleAsync} methods by task name or pattern
	 * @param chunk {@code @HandleChunk} methods by task name or pattern
	 */
	private record Found(Map<String, Method> async, Map<String, Method> chunk) {

		static Found search(Class<?> type) {
			Map<String, Method> async = find(type, HandleAsync.class, Outcome.class);
			Map<String, Method> chunk = find(type, HandleChunk.class, null);
			for (String task : chunk.keySet()) {
				if (ControllerCallbacks.find(async, task.replace("*", "")) == null) {
					throw new IllegalStateException("@HandleChunk(\"" + task + "\") "
							+ ControllerCallbacks.describe(chunk.get(task)) + " has no @HandleAsync(\"" + task
							+ "\") beside it: add one to receive the task's outcome, or fix the task name");
				}
			}
			return new Found(async, chunk);
		}

	}

}
