package dev.strand.autoconfigure;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ListableBeanFactory;

import dev.strand.internal.TaskExecutors;

/**
 * {@link TaskExecutors} that finds an {@code AsyncOptions.executor("name")} among the application context's
 * {@link Executor} beans, and names an executor passed in by its bean name.
 */
final class BeanFactoryTaskExecutors implements TaskExecutors {

	private final ListableBeanFactory beans;

	private final Named defaults;

	/** The executor beans by identity, looked up once tasks start (the context is refreshed by then). */
	private volatile @Nullable Map<Executor, String> names;

	BeanFactoryTaskExecutors(ListableBeanFactory beans, Executor defaultExecutor) {
		this.beans = beans;
		this.defaults = new Named(DEFAULT_NAME, defaultExecutor);
	}

	@Override
	public Named defaultExecutor() {
		return this.defaults;
	}

	@Override
	public Named named(String name) {
		if (name.equals(DEFAULT_NAME)) {
			return this.defaults;
		}
		if (!this.beans.containsBean(name)) {
			throw new IllegalArgumentException("AsyncOptions.executor(\"" + name + "\") names no bean; the Executor beans "
					+ "are " + executorNames() + ": define an Executor bean named '" + name + "', or fix the name");
		}
		Object bean = this.beans.getBean(name);
		if (!(bean instanceof Executor executor)) {
			throw new IllegalArgumentException("AsyncOptions.executor(\"" + name + "\") names a bean of type "
					+ bean.getClass().getName() + ", which is not an Executor; the Executor beans are " + executorNames());
		}
		return new Named(name, executor);
	}

	@Override
	public Named nameOf(Executor executor) {
		if (executor == this.defaults.executor()) {
			return this.defaults;
		}
		String name = names().get(executor);
		return new Named((name != null) ? name : OTHER, executor);
	}

	private Map<Executor, String> names() {
		Map<Executor, String> names = this.names;
		if (names == null) {
			names = new IdentityHashMap<>();
			for (Map.Entry<String, Executor> bean : this.beans.getBeansOfType(Executor.class, false, false).entrySet()) {
				names.putIfAbsent(bean.getValue(), bean.getKey());
			}
			this.names = names;
		}
		return names;
	}

	private Set<String> executorNames() {
		return new TreeSet<>(Set.of(this.beans.getBeanNamesForType(Executor.class, false, false)));
	}

}
