package main

import (
	"context"
	"errors"
	"io"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("serve: the Discord bot is not wired yet")
}

func runChat(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return errors.New("chat: not wired yet")
}

func runFeedback(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("feedback: not wired yet")
}
