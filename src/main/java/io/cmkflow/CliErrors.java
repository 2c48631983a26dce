package io.cmkflow;

import com.azure.core.amqp.exception.AmqpErrorCondition;
import com.azure.core.amqp.exception.AmqpException;
import io.cmkflow.operator.OperatorApiUnauthorizedException;
import io.cmkflow.operator.RunControlException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;

/**
 * Turns what a command threw into one line on stderr and cmkflow's exit code: refused (1), unreachable (3),
 * unauthorized (4). The stack trace only with {@code --verbose}, for a bug report.
 */
final class CliErrors implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception thrown, CommandLine command, ParseResult parsed) {
        int exitCode = exitCode(thrown);
        String prefix = switch (exitCode) {
            case Application.UNREACHABLE -> "unreachable: ";
            case Application.UNAUTHORIZED -> "unauthorized: ";
            default -> "refused: ";
        };
        command.getErr().println("cmkflow " + command.getCommandName() + ": " + prefix + message(thrown));
        if (parsed.originalArgs().contains("--verbose")) {
            thrown.printStackTrace(command.getErr());
        }
        command.getErr().flush();
        return exitCode;
    }

    static int exitCode(Throwable thrown) {
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (cause instanceof OperatorApiUnauthorizedException) {
                return Application.UNAUTHORIZED;
            }
            if (cause instanceof UnreachableException) {
                return Application.UNREACHABLE;
            }
            if (cause instanceof RunControlException) {
                return Application.REFUSED;
            }
            if (cause instanceof StatusRuntimeException grpc) {
                return switch (grpc.getStatus().getCode()) {
                    case UNAVAILABLE, DEADLINE_EXCEEDED -> Application.UNREACHABLE;
                    case UNAUTHENTICATED, PERMISSION_DENIED -> Application.UNAUTHORIZED;
                    default -> Application.REFUSED;
                };
            }
            if (cause instanceof AmqpException amqp) {
                return amqp.getErrorCondition() == AmqpErrorCondition.UNAUTHORIZED_ACCESS ? Application.UNAUTHORIZED : Application.UNREACHABLE;
            }
            if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException || cause instanceof UnresolvedAddressException) {
                return Application.UNREACHABLE;
            }
        }
        return Application.REFUSED;
    }

    /** The most specific message: gRPC's status description, else the deepest cause that says something. */
    private static String message(Throwable thrown) {
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (cause instanceof StatusRuntimeException grpc) {
                Status status = grpc.getStatus();
                return "Temporal answered " + status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
            }
            if (cause instanceof RunControlException || cause instanceof OperatorApiUnauthorizedException) {
                return cause.getMessage();
            }
        }
        String message = thrown.getMessage();
        return message == null || message.isBlank() ? thrown.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
    }

}
