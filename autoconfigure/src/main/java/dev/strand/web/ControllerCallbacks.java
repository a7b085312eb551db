package dev.strand.web;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.util.ReflectionUtils;

import dev.strand.HandleChunk;
import dev.strand.Outcome;
import dev.strand.TaskName;
import dev.strand.View;
import dev.strand.internal.Callbacks;

/**
 * The {@code @HandleAsync} and {@code @HandleChunk} methods of one controller bean, by task name or prefix
 * pattern, invoked reflectively.
 *
 * @param bean the controller
 * @param asyncMethods {@code @HandleAsync} methods by task name or pattern
 * @param chunkMethods {@code @HandleChunk} methods by task name or pattern
 */
record ControllerCallbacks(Object bean, Map<String, Method> asyncMethods, Map<String, Method> chunkMethods)
		implements Callbacks {

	@Override
	public boolean handlesAsync(String task) {
		return find(this.asyncMethods, task) != null;
	}

	@Override
	public String pattern(String task) {
		String pattern = pattern(this.asyncMethods, task);
		return (pattern != null) ? pattern : task;
	}

	@Override
	public void onOutcome(String task, Outcome<?> outcome, View view) throws Exception {
		Method method = find(this.asyncMethods, task);
		if (method != null) {
			invoke(method, task, outcome, view);
		}
	}

	@Override
	public boolean handlesChunk(String task) {
		return find(this.chunkMethods, task) != null;
	}

	@Override
	public boolean sendsChunk(String task) {
		Method method = find(this.chunkMethods, task);
		return (method == null) || method.getAnnotation(HandleChunk.class).send();
	}

	@Override
	public void onChunk(String task, Object chunk, View view) throws Exception {
		Method method = find(this.chunkMethods, task);
		if (method == null) {
			return;
		}
		Class<?> chunkType = valueParameter(method).getType();
		if (!chunkType.isInstance(chunk)) {
			throw new IllegalArgumentException("@HandleChunk(\"" + task + "\") " + describe(method) + " takes a "
					+ chunkType.getName() + ", but the task pushed a " + chunk.getClass().getName()
					+ "; push that type, or widen the parameter");
		}
		invoke(method, task, chunk, view);
	}

	@Override
	public String describe() {
		return this.bean.getClass().getName();
	}

	static String describe(Method method) {
		return method.getDeclaringClass().getName() + "." + method.getName();
	}

	static boolean isTaskName(Parameter parameter) {
		return parameter.isAnnotationPresent(TaskName.class);
	}

	static Parameter valueParameter(Method method) {
		for (Parameter parameter : method.getParameters()) {
			if (parameter.getType() != View.class && !isTaskName(parameter)) {
				return parameter;
			}
		}
		throw new IllegalStateException("unreachable: validated at startup");
	}

	/** The method for a task: its exact name first, then the longest matching prefix pattern. */
	static @Nullable Method find(Map<String, Method> methods, String task) {
		String pattern = pattern(methods, task);
		return (pattern != null) ? methods.get(pattern) : null;
	}

	/** The name or prefix pattern of the method for a task, as {@link #find} chooses it. */
	static @Nullable String pattern(Map<String, Method> methods, String task) {
		if (methods.containsKey(task)) {
			return task;
		}
		String best = null;
		for (String pattern : methods.keySet()) {
			if (pattern.endsWith("*") && task.startsWith(pattern.substring(0, pattern.length() - 1))
					&& (best == null || pattern.length() > best.length())) {
				best = pattern;
			}
		}
		return best;
	}

	private void invoke(Method method, String task, Object value, View view) throws Exception {
		Parameter[] parameters = method.getParameters();
		Object[] args = new Object[parameters.length];
		for (int i = 0; i < parameters.length; i++) {
			args[i] = (parameters[i].getType() == View.class) ? view : isTaskName(parameters[i]) ? task : value;
		}
		ReflectionUtils.makeAccessible(method);
		try {
			method.invoke(this.bean, args);
		}
		catch (InvocationTargetException ex) {
			if (ex.getCause() instanceof Exception cause) {
				throw cause;
			}
			throw ex;
		}
	}

}
