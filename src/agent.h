/*
 * agent.h: dishrack agent, workers on this host for a run elsewhere.
 */
#ifndef DISHRACK_AGENT_H
#define DISHRACK_AGENT_H

/* argv[0] is "agent". Returns the exit status. */
int	agent_main(int argc, char **argv);

#endif
