/*
 * agent.h: dishrack agent, workers on this host for a run elsewhere.
 */
#ifndef DISHRACK_AGENT_H
#define DISHRACK_AGENT_H

/* argv[0] is "agent". Returns the exit status. */
int	agent_main(int argc, char **argv);

/*
 * The same over ZeroMQ (agent_zmq.c), for a run on zmq+tcp://HOST:PORT;
 * agent_zmq_url: 1 if the arguments name such a run (tcp://, zmq+tcp://).
 */
int	agent_zmq_main(int, char **);
int	agent_zmq_url(int, char **);

#endif
