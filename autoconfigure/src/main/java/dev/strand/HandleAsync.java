package dev.strand;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a controller method that receives the {@link Outcome} of the task with this name, exactly once per
 * task, on the tab's mailbox. Its parameters are an {@link Outcome} and, optionally, the {@link View} and a
 * {@link TaskName @TaskName} {@code String}, in any order; it returns {@code void}. Like LiveView's {@code handle_async/3}, it is not called for a task
 * that a later start with the same name replaced.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface HandleAsync {

	/**
	 * The task's name, as given to {@link View#startAsync(String, AsyncTask)}, or a prefix pattern ending in
	 * {@code *} (such as {@code "worker-*"}) for tasks named at run time; an exact name wins over a pattern,
	 * and a longer pattern over a shorter one.
	 * @return the task's name or pattern
	 */
	String value();

}
