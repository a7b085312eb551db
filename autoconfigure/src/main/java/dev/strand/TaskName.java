package dev.strand;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code String} parameter of a {@link HandleAsync @HandleAsync} or {@link HandleChunk @HandleChunk}
 * method that receives the task's name; useful with a pattern such as {@code @HandleAsync("worker-*")}.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface TaskName {

}
