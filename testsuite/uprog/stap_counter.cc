// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stap_counter - a C++ program for the tests of process probes: a class
 * with a member function defined outside it, in a namespace, a
 * std::string member, and output through libstdc++'s ostream.
 */
#include <iostream>
#include <string>
#include <vector>

namespace fruit {

class Counter {
public:
	explicit Counter(const std::string &name) : name_(name), total_(0) {}
	int add(int by);
	const std::string &name() const { return name_; }

private:
	std::string name_;
	int total_;
};

int Counter::add(int by)
{
	total_ += by;
	return total_;
}

} // namespace fruit

int main()
{
	fruit::Counter c("apples");
	std::vector<int> v = { 3, 4 };

	for (int x : v)
		c.add(x);
	std::cout << c.name() << " " << c.add(0) << std::endl;
	return 0;
}
