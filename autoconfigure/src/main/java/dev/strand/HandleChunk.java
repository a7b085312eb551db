package dev.strand;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a controller method that receives each chunk the task with this name pushes, in order, on the
 * tab's mailbox. Its parameters are the chunk (any type the task pushes) and, optionally, the
 * {@link View} and a {@link TaskName @TaskName} {@code String}; it returns {@code void}. The chunk is still sent to the page afterwards.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface HandleChunk {

	/**
	 * The task's name, or a prefix pattern ending in {@code *}, as for {@link HandleAsync#value()}.
	 * @return the task's name or pattern
	 */
	String value();

}
