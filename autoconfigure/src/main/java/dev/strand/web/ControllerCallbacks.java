package dev.strand.web;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;

import org.springframework.core.ResolvableType;
import org.springframework.util.ReflectionUtils;

import dev.strand.Outcome;
import dev.strand.View;
import dev.strand.internal.Callbacks;

/**
 * The {@code @HandleAsync} and {@code @HandleChunk} methods of one controller bean, invoked reflectively.
 *
 * @param bean the controller
 * @param asyncMethods {@code @HandleAsync} methods by task name
 * @param chunkMethods {@code @HandleChunk} methods by task name
 */
record ControllerCallbacks(Object bean, Map<String, Method> asyncMethods, Map<String, Method> chunkMethods)
		implements Callbacks {

	@Override
	public boolean handlesAsync(String task) {
		return this.asyncMethods.containsKey(task);
	}

	@Override
	public void onOutcome(String task, Outcome<?> outcome, View view) throws Exception {
		invoke(this.asyncMethods.get(task), outcome, view);
	}

	@Override
	public boolean handlesChunk(String task) {
		return this.chunkMethods.containsKey(task);
	}

	@Override
	public void onChunk(String task, Object chunk, View view) throws Exception {
		Method method = this.chunkMethods.get(task);
		Class<?> chunkType = chunkParameter(method);
		if (!chunkType.isInstance(chunk)) {
			throw new IllegalArgumentException("@HandleChunk(\"" + task + "\") " + describe(method) + " takes a "
					+ chunkType.getName() + ", but the task pushed a " + chunk.getClass().getName()
					+ "; push that type, or widen the parameter");
		}
		invoke(method, chunk, view);
	}

	@Override
	public String describe() {
		return this.bean.getClass().getName();
	}

	static String describe(Method method) {
		return method.getDeclaringClass().getName() + "." + method.getName();
	}

	static Class<?> chunkParameter(Method method) {
		for (Class<?> type : method.getParameterTypes()) {
			if (type != View.class) {
				return ResolvableType.forClass(type).toClass();
			}
		}
		throw new IllegalStateException("unreachable: validated at startup");
	}

	private void invoke(Method method, Object value, View view) throws Exception {
		Class<?>[] types = method.getParameterTypes();
		Object[] args = new Object[types.length];
		for (int i = 0; i < types.length; i++) {
			args[i] = (types[i] == View.class) ? view : value;
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
