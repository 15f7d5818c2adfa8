// How the person's feedback reaches an agent that has no session to continue (a command profile, or an agent that
// never reported one): the task runs again in the same worktree, with the original prompt and the feedback.

export function promptWithFeedback(prompt: string, feedback: string | null): string {
  if (feedback === null) return prompt;
  return (
    `${prompt}\n\n` +
    'Feedback on your previous attempt (its changes are still in this working directory; build on them):\n' +
    feedback
  );
}
