// Command quickstart prints a weekly community report computed with cmkit
// from a small sample data set that ships with it.
package main

import "fmt"

func main() {
	fmt.Println("cmkit quickstart")
}
